package io.reelroute.store;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.ResourceNames;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@Configuration(proxyBeanMethods = false)
public class StoreConfiguration {

    /** The Idempotent Consumer's repository that lets reassembly be triggered once per job. */
    @Bean
    DynamoDbIdempotentRepository reassemblyTriggered(DynamoDbClient dynamoDb, ReelRouteProperties properties) {
        return new DynamoDbIdempotentRepository(dynamoDb,
                ResourceNames.fromPrefix(properties.prefix()).reassemblyTriggeredTable(),
                properties.reassembly().triggerLease(), properties.reassembly().triggerTtl());
    }
}
