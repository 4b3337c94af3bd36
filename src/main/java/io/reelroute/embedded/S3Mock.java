package io.reelroute.embedded;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.context.logging.LoggingApplicationListener;

import com.adobe.testing.s3mock.S3MockApplication;

/**
 * S3: S3Mock, a Spring Boot application of its own, started in this JVM with its store under {@code root}.
 *
 * <p>Its settings go in as command-line arguments, which outrank the environment variables and system
 * properties meant for the application around it ({@code SERVER_PORT}, {@code SPRING_CONFIG_LOCATION},
 * {@code MANAGEMENT_SERVER_PORT}, ...). It reads no configuration file: not the application's
 * {@code application.properties}, which shadows S3Mock's own on the classpath, so the settings S3Mock's file
 * holds are given here too (but its quieter level for {@code ExceptionHandlerExceptionResolver}: S3Mock leaves
 * logging to the application). A kept store is repaired first if a killed process left it cut short
 * ({@link S3MockStoreRepair}).
 */
final class S3Mock {

    static final String NAME = "S3 (S3Mock)";

    private S3Mock() {
    }

    /** {@code writes} is told about each object written, once the application listens to it. */
    static EmbeddedAws.Emulator start(int port, String region, Path root, boolean keepFiles, S3MockWrites writes) {
        if (keepFiles) {
            // A kept store may have been cut short by a killed process; S3Mock would fail on it for good.
            S3MockStoreRepair.repair(root, region);
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("com.adobe.testing.s3mock.httpPort", port); // "http.port" in S3MockApplication's constants
        // S3Mock's main connector, HTTPS on 9191 in S3MockApplication.start: unused here, so plain HTTP on a free
        // port. S3MockLoopback keeps the connector above on 127.0.0.1 too.
        settings.put("server.port", 0);
        settings.put("server.ssl.enabled", false);
        settings.put("server.address", EmbeddedAws.HOST);
        settings.put("com.adobe.testing.s3mock.store.root", root);
        settings.put("com.adobe.testing.s3mock.store.retainFilesOnExit", keepFiles);
        settings.put("com.adobe.testing.s3mock.store.region", region);
        settings.put("com.adobe.testing.s3mock.region", region);
        // What S3Mock's own application.properties holds.
        settings.put("spring.jmx.enabled", false);
        settings.put("spring.main.lazy-initialization", true);
        settings.put("server.tomcat.max-swallow-size", "10MB");
        settings.put("management.endpoints.web.discovery.enabled", false);
        // Away from the application's configuration and auto-configuration.
        settings.put("spring.config.name", "reelroute-embedded-s3mock");
        settings.put("spring.config.location", "optional:classpath:/reelroute-embedded-s3mock/");
        settings.put("spring.config.additional-location", "optional:classpath:/reelroute-embedded-s3mock/");
        settings.put("spring.autoconfigure.exclude", camelAutoConfigurations());
        settings.put("spring.main.web-application-type", "servlet");
        settings.put("server.servlet.context-path", "");
        settings.put("server.shutdown", "immediate");
        settings.put("management.server.port", -1);
        String[] args = settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);

        // What S3MockApplication.start does, less its logging: Spring Boot's logging listener would reconfigure
        // the JVM's logging while the other emulators log, and reset it again when S3Mock stops.
        SpringApplication application = new SpringApplication(S3MockApplication.class, S3MockLoopback.class);
        application.setListeners(application.getListeners().stream()
                .filter(listener -> !(listener instanceof LoggingApplicationListener)).toList());
        // A Filter bean of S3Mock's context filters every request S3Mock serves.
        application.addInitializers(context -> context.getBeanFactory().registerSingleton("reelrouteObjectWrites", writes));
        application.setBannerMode(Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        try {
            S3MockApplication server = application.run(args).getBean(S3MockApplication.class);
            return new EmbeddedAws.Emulator(NAME, EmbeddedAws.Emulator.endpoint(server.getHttpPort()), server::stop);
        } catch (RuntimeException e) {
            throw new IllegalStateException(NAME + " did not start on port " + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every Camel auto-configuration on the classpath: with {@code CamelAutoConfiguration} S3Mock's context would
     * build a second CamelContext, and the others only make sense next to it.
     */
    private static String camelAutoConfigurations() {
        return ImportCandidates.load(AutoConfiguration.class, S3Mock.class.getClassLoader()).getCandidates().stream()
                .filter(name -> name.startsWith("org.apache.camel."))
                .collect(Collectors.joining(","));
    }
}
