package io.reelroute.media;

import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;

/**
 * At start, before any route takes work: removes the work folders that processes which died left behind
 * ({@link WorkFolders#removeAbandoned}) under reelroute.media.work-dir, so a pod whose container restarts after an
 * out-of-memory kill does not fill its disk with sources and segments no one will read.
 */
@Component
public class AbandonedWorkFolders {

    private static final Logger LOG = LoggerFactory.getLogger(AbandonedWorkFolders.class);

    public AbandonedWorkFolders(ReelRouteProperties properties) {
        Path root = properties.media().workRoot();
        int removed = WorkFolders.removeAbandoned(root);
        if (removed > 0) {
            LOG.info("Removed {} work folder(s) in {} left by processes that stopped without cleaning up", removed, root);
        }
    }
}
