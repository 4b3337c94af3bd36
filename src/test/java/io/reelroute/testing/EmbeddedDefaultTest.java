package io.reelroute.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.TestPropertySource;

/**
 * The whole application on the embedded default, for a test of routes: ElasticMQ, DynamoDB Local and S3Mock in
 * the test's JVM on free loopback ports, their state in a new folder under target/ (with the inbox and outbox),
 * the resources provisioned, the HTTP port random, and queues polled every second. Add settings with
 * {@code @TestPropertySource(properties = ...)} on the test class; extend {@link RouteTestSupport} for the ways
 * to start jobs and wait on their outcomes. Each test class gets its own application, stopped after it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@CamelSpringBootTest
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// The run mode is chosen before any initializer runs, so it is a test property.
@TestPropertySource(properties = {"reelroute.mode=embedded", "reelroute.sqs.wait-time-seconds=1"})
@ContextConfiguration(initializers = EmbeddedDefaultTest.FreshEmulators.class)
public @interface EmbeddedDefaultTest {

    /** Free ports and a new state folder for the emulators of one application context. */
    final class FreshEmulators implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            String data = EmbeddedEmulators.newDataDir().toString();
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("reelroute-test-emulators", Map.of(
                    "reelroute.embedded.data-dir", data,
                    "reelroute.embedded.s3-port", 0,
                    "reelroute.embedded.sqs-port", 0,
                    "reelroute.embedded.dynamodb-port", 0,
                    "reelroute.embedded.inbox", data + "/inbox",
                    "reelroute.embedded.outbox", data + "/outbox")));
        }
    }
}
