package io.reelroute.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.aws2.sqs.Sqs2Constants;
import org.apache.camel.component.aws2.sqs.Sqs2Endpoint;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.RoutePolicySupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.Hop;
import io.reelroute.contract.HopRun;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Observes every hop, so that no route repeats a timing step: a route policy on every route that
 * <ul>
 * <li>on a route that consumes an SQS queue, reads how long the message waited there (its SentTimestamp to its
 * receipt) into {@code reelroute.queue.wait{queue}}; every aws2-sqs consumer asks SQS for SentTimestamp and
 * ApproximateReceiveCount (unless it names its own attributeNames);</li>
 * <li>on entering a route whose group is a hop ({@link Hop#ofRouteGroup}), starts a {@link HopRun} and puts it in
 * the exchange variable {@code hopRun}, which the route passes to the store call that ends the hop (the run's
 * queue wait is the message's if this hop took it off its queue, none if it runs on another hop's message); on
 * leaving that route, times the run into {@code reelroute.hop.duration{hop}} (runs that ended in an error are
 * not timed) and gives the variable back to the hop that called it.</li>
 * </ul>
 * A hop's routes may call routes of later hops in-process (inference hands on to completion), which run as hops of
 * their own; a route of an earlier hop's group called from a later hop (after-completion, of group reassembly, from
 * the renditions pipeline) is part of the later one.
 */
@Component
public class HopTimes implements RoutePolicyFactory, CamelContextConfiguration {

    /** The exchange variable that holds the running hop's {@link HopRun}. */
    public static final String VARIABLE = "hopRun";
    static final String HOP_DURATION = "reelroute.hop.duration";
    static final String QUEUE_WAIT = "reelroute.queue.wait";
    /** What every aws2-sqs consumer asks SQS for, unless its endpoint names its own attributeNames. */
    static final String SQS_ATTRIBUTES = "SentTimestamp,ApproximateReceiveCount";
    private static final String DELIVERY = "ReelRouteDelivery";
    private static final String FRAME = "ReelRouteHopFrame";

    private final MeterRegistry meters;
    private final String queuePrefix;
    private final Clock clock;

    @Autowired
    public HopTimes(MeterRegistry meters, ReelRouteProperties properties) {
        this(meters, properties.prefix(), Clock.systemUTC());
    }

    public HopTimes(MeterRegistry meters, String prefix, Clock clock) {
        this.meters = meters;
        this.queuePrefix = prefix + "-";
        this.clock = clock;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camel, String routeId, NamedNode route) {
        return new Policy();
    }

    @Override
    public void beforeApplicationStart(CamelContext camel) {
        // Applies to the endpoints there are and to every one made later; consumers read it when they start.
        camel.getCamelContextExtension().registerEndpointCallback((uri, endpoint) -> {
            if (endpoint instanceof Sqs2Endpoint sqs) {
                requestTimestamps(sqs);
            }
            return endpoint;
        });
    }

    @Override
    public void afterApplicationStart(CamelContext camel) {
    }

    /** Has the endpoint's consumer ask for SentTimestamp and ApproximateReceiveCount, unless it names attributes itself. */
    public static void requestTimestamps(Sqs2Endpoint sqs) {
        String named = sqs.getConfiguration().getAttributeNames();
        if (named == null || named.isBlank()) {
            sqs.getConfiguration().setAttributeNames(SQS_ATTRIBUTES);
        }
    }

    /** The SQS message an exchange came from: its queue's short name, how long it waited, its delivery count. */
    private record Delivery(String queue, Duration waited, Integer deliveries) {
    }

    /** A running hop and the route that started it, over the hop that called it (null at the first). */
    private record Frame(HopRun run, String routeId, Frame caller) {
    }

    private final class Policy extends RoutePolicySupport {

        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            if (route.getEndpoint() instanceof Sqs2Endpoint sqs) {
                Delivery delivery = delivery(sqs, exchange);
                if (delivery != null) {
                    exchange.setProperty(DELIVERY, delivery);
                    queueTimer(delivery.queue()).record(delivery.waited());
                }
            }
            Hop hop = Hop.ofRouteGroup(route.getGroup());
            if (hop == null) {
                return;
            }
            Frame caller = exchange.getProperty(FRAME, Frame.class);
            if (caller != null && hop.ordinal() <= caller.run().hop().ordinal()) {
                return;
            }
            // The message's wait belongs to the hop that took it off the queue, not to those it hands on to.
            Delivery delivery = caller == null ? exchange.getProperty(DELIVERY, Delivery.class) : null;
            HopRun run = new HopRun(hop, clock.instant(), delivery == null ? null : delivery.waited(),
                    delivery == null ? null : delivery.deliveries());
            exchange.setProperty(FRAME, new Frame(run, route.getRouteId(), caller));
            exchange.setVariable(VARIABLE, run);
        }

        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
            Frame frame = exchange.getProperty(FRAME, Frame.class);
            // Routes left without their own end (an error) are passed over on the way to this route's frame.
            Frame own = frame;
            while (own != null && !own.routeId().equals(route.getRouteId())) {
                own = own.caller();
            }
            if (own == null) {
                return;
            }
            Frame caller = own.caller();
            if (caller == null) {
                exchange.removeProperty(FRAME);
                exchange.removeVariable(VARIABLE);
            } else {
                exchange.setProperty(FRAME, caller);
                exchange.setVariable(VARIABLE, caller.run());
            }
            if (!exchange.isFailed() && exchange.getProperty(Exchange.EXCEPTION_CAUGHT) == null) {
                hopTimer(own.run().hop()).record(Duration.between(own.run().startedAt(), clock.instant()));
            }
        }
    }

    private Delivery delivery(Sqs2Endpoint sqs, Exchange exchange) {
        Map<?, ?> attributes = exchange.getMessage().getHeader(Sqs2Constants.ATTRIBUTES, Map.class);
        String sent = attributes == null ? null : (String) attributes.get(MessageSystemAttributeName.SENT_TIMESTAMP);
        if (sent == null) {
            return null;
        }
        String count = (String) attributes.get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        // The consumer makes the exchange as it receives the message (a batch's exchanges all at once).
        Instant received = Instant.ofEpochMilli(exchange.getClock().getCreated());
        Duration waited = Duration.between(Instant.ofEpochMilli(Long.parseLong(sent)), received);
        String queue = sqs.getConfiguration().getQueueName();
        return new Delivery(queue.startsWith(queuePrefix) ? queue.substring(queuePrefix.length()) : queue,
                waited.isNegative() ? Duration.ZERO : waited, count == null ? null : Integer.valueOf(count));
    }

    private Timer hopTimer(Hop hop) {
        return Timer.builder(HOP_DURATION)
                .description("How long a hop's run took, in the process that ran it (with what it hands on in-process)")
                .tag("hop", hop.wireName())
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(2))
                .register(meters);
    }

    private Timer queueTimer(String queue) {
        return Timer.builder(QUEUE_WAIT)
                .description("How long a message waited in its SQS queue before a consumer received it")
                .tag("queue", queue)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(2))
                .register(meters);
    }
}
