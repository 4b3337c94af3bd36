package io.reelroute.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.util.function.ThrowingConsumer;
import org.yaml.snakeyaml.Yaml;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One hop, or one pipeline, in a bare CamelContext: the route files it names (found anywhere under
 * {@code routes/}), the settings and beans the test gives it, and nothing else of the application. For route
 * tests of the fast tier (a few hundred milliseconds to start); replace endpoints with {@link #advice} and read
 * what reached them with {@link #mock}.
 *
 * <pre>{@code
 * try (HopContext hop = HopContext.with(Map.of("reelroute.prefix", "reelroute"))
 *         .bind("inboundMessages", new InboundMessages(new ObjectMapper()))
 *         .load("s3-event-source.camel.yaml")
 *         .instance("s3-event-source", "my-source", Map.of("hop", "my-hop", "queue", "chunking", "to", "mock:out"))
 *         .advice("my-source", route -> route.replaceFromWith("direct:in"))
 *         .start()) {
 *     hop.send("direct:in", body);
 *     assertThat(hop.mock("mock:out").getReceivedCounter()).isEqualTo(1);
 * }
 * }</pre>
 */
public final class HopContext implements AutoCloseable {

    public static final Path ROUTES = Path.of("routes");

    private final CamelContext camel = new DefaultCamelContext();
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private ProducerTemplate producer;

    private HopContext(Map<String, String> settings) {
        Properties properties = new Properties();
        properties.putAll(settings);
        camel.getPropertiesComponent().setInitialProperties(properties);
        // The routes count what they drop and do with micrometer: endpoints.
        camel.getRegistry().bind("metricsRegistry", meters);
    }

    /** A context whose property placeholders ({{name}}) resolve from these settings. */
    public static HopContext with(Map<String, String> settings) {
        return new HopContext(settings);
    }

    /** A route file by its name, wherever it lies under routes/ (names are unique there). */
    public static Path routeFile(String name) {
        try (Stream<Path> walk = Files.walk(ROUTES)) {
            List<Path> found = walk.filter(p -> p.getFileName().toString().equals(name)).toList();
            if (found.size() != 1) {
                throw new IllegalArgumentException("routes/ holds " + found.size() + " files named " + name + ": " + found);
            }
            return found.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HopContext bind(String name, Object bean) {
        camel.getRegistry().bind(name, bean);
        return this;
    }

    /** Loads a route file of routes/ (its templates, route configurations and routes). */
    public HopContext load(String routeFile) throws Exception {
        return yaml(Files.readString(routeFile(routeFile)));
    }

    /**
     * Loads only a route file's instances of one template (its templatedRoute elements that name it), without its
     * other routes: those may need beans the test does not give.
     */
    public HopContext instancesOf(String template, String routeFile) throws Exception {
        Yaml yaml = new Yaml();
        List<?> elements = yaml.load(Files.readString(routeFile(routeFile)));
        return yaml(yaml.dump(elements.stream().filter(e -> ((Map<?, ?>) e).get("templatedRoute") instanceof Map<?, ?> t
                && template.equals(t.get("routeTemplateRef"))).toList()));
    }

    /** Loads only a route file's route configurations (a hop's own error cases), without its routes. */
    public HopContext routeConfigurationsOf(String routeFile) throws Exception {
        Yaml yaml = new Yaml();
        List<?> elements = yaml.load(Files.readString(routeFile(routeFile)));
        return yaml(yaml.dump(elements.stream().filter(e -> ((Map<?, ?>) e).containsKey("routeConfiguration")).toList()));
    }

    /** Loads YAML DSL written in the test, e.g. a templatedRoute of the template under test. */
    public HopContext yaml(String yaml) throws Exception {
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("test.camel.yaml", yaml));
        return this;
    }

    /** A route made from a template of the loaded files, as a pipeline's templatedRoute makes it. */
    public HopContext instance(String template, String routeId, Map<String, String> parameters) throws Exception {
        StringBuilder yaml = new StringBuilder("- templatedRoute:\n    routeTemplateRef: " + template
                + "\n    routeId: " + routeId + "\n    parameters:\n");
        parameters.forEach((name, value) -> yaml.append("      - name: ").append(name).append("\n        value: \"")
                .append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n"));
        return yaml(yaml.toString());
    }

    /** Changes a route before it starts: replace its from, mock or skip endpoints, weave steps. */
    public HopContext advice(String routeId, ThrowingConsumer<AdviceWithRouteBuilder, Exception> change) throws Exception {
        AdviceWith.adviceWith(camel, routeId, change);
        return this;
    }

    /** Creates the routes without starting their consumers, to inspect what they would consume. */
    public HopContext withoutAutoStartup() {
        camel.setAutoStartup(false);
        return this;
    }

    public HopContext start() {
        camel.start();
        return this;
    }

    public CamelContext camel() {
        return camel;
    }

    public MeterRegistry meters() {
        return meters;
    }

    public MockEndpoint mock(String uri) {
        return camel.getEndpoint(uri, MockEndpoint.class);
    }

    /** Sends a body and waits for the route to finish with it; its exception, if any, is thrown. */
    public Object request(String uri, Object body) {
        return producer().requestBody(uri, body);
    }

    /** Sends a body and waits for the route to finish with it; an exception stays on the exchange. */
    public void send(String uri, Object body) {
        producer().sendBody(uri, body);
    }

    /** A producer for what {@link #send} and {@link #request} don't cover (headers, exchange properties). */
    public ProducerTemplate producer() {
        if (producer == null) {
            producer = camel.createProducerTemplate();
        }
        return producer;
    }

    /** The count of a micrometer counter with these tags, 0 if it was never incremented. */
    public double counted(String name, String... tags) {
        var counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        // Stopping the context stops its producer templates too.
        camel.stop();
    }
}
