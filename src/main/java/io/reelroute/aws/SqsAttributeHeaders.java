package io.reelroute.aws;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.sqs.Sqs2Endpoint;
import org.apache.camel.component.aws2.sqs.Sqs2HeaderFilterStrategy;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;

/**
 * Which SQS message attributes become Camel headers. The aws2-sqs consumer turns each attribute of a received
 * message into a header of the same name, and Camel's producers obey headers such as {@code CamelAwsS3Key},
 * {@code CamelFileName}, {@code CamelHttpUri} or {@code CamelExecCommandArgs}: whoever can send to a queue could
 * steer where a hop writes or what it runs. So every aws2-sqs endpoint of the context gets {@link Filter}: an
 * attribute becomes a header only if its name is in {@code reelroute.sqs.message-attribute-headers} (none by
 * default: no route reads one), and never one in Camel's namespace. All attributes stay readable, as data, in the
 * {@code CamelAwsSqsMessageAttributes} header (the dead-letters hop keeps them with the message).
 */
@Component
public class SqsAttributeHeaders implements CamelContextConfiguration {

    private final Filter filter;

    @Autowired
    public SqsAttributeHeaders(ReelRouteProperties properties) {
        this(properties.sqs().messageAttributeHeaders());
    }

    public SqsAttributeHeaders(List<String> allowed) {
        this.filter = new Filter(allowed == null ? List.of() : allowed);
    }

    @Override
    public void beforeApplicationStart(CamelContext camel) {
        // Applies to the endpoints there are and to every one made later (a route added or reloaded, a toD).
        camel.getCamelContextExtension().registerEndpointCallback((uri, endpoint) -> {
            if (endpoint instanceof Sqs2Endpoint sqs) {
                HeaderFilterStrategy current = sqs.getHeaderFilterStrategy();
                // Camel's default (or none yet): replaced; one an endpoint names itself is its route's choice.
                if (current == null || current.getClass() == Sqs2HeaderFilterStrategy.class) {
                    sqs.setHeaderFilterStrategy(filter);
                }
            }
            return endpoint;
        });
    }

    @Override
    public void afterApplicationStart(CamelContext camel) {
    }

    /** Inbound: only allowed attributes, never Camel's; outbound: as Camel's own (no Camel headers leave). */
    public static final class Filter extends Sqs2HeaderFilterStrategy {

        private final Set<String> allowed;

        Filter(List<String> allowed) {
            this.allowed = allowed.stream().map(String::trim).filter(name -> !name.isEmpty())
                    .map(name -> name.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        }

        @Override
        public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
            String lower = name.toLowerCase(Locale.ROOT);
            return lower.startsWith("camel") || lower.startsWith("org.apache.camel") || !allowed.contains(lower);
        }
    }
}
