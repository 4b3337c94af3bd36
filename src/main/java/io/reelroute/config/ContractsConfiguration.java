package io.reelroute.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.InboundMessages;

@Configuration(proxyBeanMethods = false)
public class ContractsConfiguration {

    /** The one classifier for every inbound message shape (S3, EventBridge, SNS, TestEvent). */
    @Bean
    InboundMessages inboundMessages(ObjectMapper mapper) {
        return new InboundMessages(mapper);
    }
}
