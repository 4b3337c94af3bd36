package io.reelroute.aws;

import io.reelroute.contract.ResourceNames;

/**
 * Creates the buckets, queues and tables where ReelRoute owns them (the embedded default). On AWS there is
 * no such bean: {@code deploy/} owns the resources and nothing here creates any.
 */
public interface ResourceProvisioning {

    void provision(ResourceNames names);
}
