package io.reelroute.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Decides once, before any bean exists, whether this process runs on the embedded emulators or on
 * AWS, and publishes the answer as {@value #EMBEDDED_PROPERTY}. It also points Camel at the route
 * folder: the route files in {@code routes/} and its folders, {@code routes/embedded/} on the embedded default only, and settles the
 * settings whose default depends on the mode: {@value #PACKAGER_PROPERTY} ({@code local} on the embedded
 * default, {@code mediaconvert} on AWS), {@value #EVENTS_PROPERTY} and {@value #AUTH_PROPERTY} (off on the
 * embedded default, on elsewhere), and where the HTTP ports listen (see {@link #listenAddress}). On the embedded
 * default it also turns on live route reload and the Camel developer console.
 */
public class RunModeResolver implements EnvironmentPostProcessor {

    public static final String EMBEDDED_PROPERTY = "reelroute.embedded.enabled";
    public static final String PACKAGER_PROPERTY = "reelroute.transcode.packager";
    public static final String EVENTS_PROPERTY = "reelroute.events.enabled";
    public static final String AUTH_PROPERTY = "reelroute.api.auth.enabled";
    public static final String BIND_PROPERTY = "reelroute.api.bind-address";
    public static final String LOOPBACK = "127.0.0.1";
    static final String EMULATOR_CLASS = "io.reelroute.embedded.EmbeddedAws";

    /** Any of these means someone configured AWS credentials for this process. */
    private static final String[] CREDENTIAL_VARIABLES = {
        "AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
    };

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        boolean embedded = embedded(env);
        Map<String, Object> resolved = new LinkedHashMap<>();
        resolved.put(EMBEDDED_PROPERTY, embedded);
        if (!env.containsProperty("camel.main.routes-include-pattern")) {
            String dir = env.getProperty("reelroute.routes.dir", "routes");
            // Every folder under it (the kit, each pipeline, the platform); routes/embedded/ is the embedded default's.
            resolved.put("camel.main.routes-include-pattern", "file:" + dir + "/**/*.camel.yaml");
            if (!embedded && !env.containsProperty("camel.main.routes-exclude-pattern")) {
                resolved.put("camel.main.routes-exclude-pattern", "file:" + dir + "/embedded/*.camel.yaml");
            }
        }
        if (embedded) {
            developerLoop(env, resolved);
        }
        if ("auto".equals(env.getProperty(PACKAGER_PROPERTY, "auto").trim())) {
            resolved.put(PACKAGER_PROPERTY, embedded ? "local" : "mediaconvert");
        }
        if ("auto".equals(env.getProperty(EVENTS_PROPERTY, "auto").trim())) {
            resolved.put(EVENTS_PROPERTY, !embedded);
        }
        boolean auth;
        if ("auto".equals(env.getProperty(AUTH_PROPERTY, "auto").trim())) {
            auth = !embedded;
            resolved.put(AUTH_PROPERTY, auth);
        } else {
            auth = Boolean.parseBoolean(env.getProperty(AUTH_PROPERTY).trim());
        }
        listenAddress(env, resolved, embedded && !auth);
        env.getPropertySources().addFirst(new MapPropertySource("reelroute-run-mode", resolved));
    }

    /**
     * On the embedded default, the integration engineer's loop: a changed route file is reloaded live (Camel's route
     * watcher on the routes folder), and the Camel developer console is served at /actuator/camel. Each can be
     * turned off by setting its property.
     */
    private static void developerLoop(ConfigurableEnvironment env, Map<String, Object> resolved) {
        if (!env.containsProperty("camel.main.routes-reload-enabled")) {
            resolved.put("camel.main.routes-reload-enabled", true);
            resolved.put("camel.main.routes-reload-directory", env.getProperty("reelroute.routes.dir", "routes"));
            resolved.put("camel.main.routes-reload-directory-recursive", true);
            resolved.put("camel.main.routes-reload-pattern", "*.camel.yaml");
            // Only the changed file's routes are replaced; the others keep running.
            resolved.put("camel.main.routes-reload-remove-all-routes", false);
        }
        if (!env.containsProperty("camel.main.dev-console-enabled")) {
            resolved.put("camel.main.dev-console-enabled", true);
            String exposed = env.getProperty("management.endpoints.web.exposure.include", "health");
            if (!List.of(exposed.split(",")).contains("camel")) {
                resolved.put("management.endpoints.web.exposure.include", exposed + ",camel");
            }
        }
    }

    /**
     * Where the API's port and the management port listen: {@code server.address} if set, else
     * {@value #BIND_PROPERTY} if set, else {@value #LOOPBACK} when every caller would be the local user (the embedded
     * default without authentication), else every interface. The management port follows unless
     * {@code management.server.address} is set (Spring allows an address only on a port of its own).
     */
    private static void listenAddress(ConfigurableEnvironment env, Map<String, Object> resolved, boolean everyoneIsLocal) {
        String bind = env.getProperty(BIND_PROPERTY, "").trim();
        String address = env.getProperty("server.address", bind.isEmpty() && everyoneIsLocal ? LOOPBACK : bind).trim();
        if (address.isEmpty()) {
            return;
        }
        if (!env.containsProperty("server.address")) {
            resolved.put("server.address", address);
        }
        if (!env.containsProperty("management.server.address") && ManagementPortType.get(env) == ManagementPortType.DIFFERENT) {
            resolved.put("management.server.address", address);
        }
    }

    static boolean embedded(ConfigurableEnvironment env) {
        RunMode mode = RunMode.valueOf(env.getProperty("reelroute.mode", "auto").trim().toUpperCase(Locale.ROOT));
        boolean embedded = switch (mode) {
            case EMBEDDED -> true;
            case AWS -> false;
            case AUTO -> !hasText(env.getProperty("reelroute.aws.endpoint"))
                    && Stream.of(CREDENTIAL_VARIABLES).noneMatch(name -> hasText(env.getProperty(name)))
                    && !hasText(System.getProperty("aws.accessKeyId"));
        };
        if (embedded && !emulatorsPresent()) {
            throw new IllegalStateException("This build has no embedded AWS emulators (it is the production artifact). "
                    + "Set reelroute.mode=aws (REELROUTE_MODE=aws) and configure AWS credentials or reelroute.aws.endpoint.");
        }
        return embedded;
    }

    private static boolean emulatorsPresent() {
        try {
            Class.forName(EMULATOR_CLASS, false, RunModeResolver.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }
}
