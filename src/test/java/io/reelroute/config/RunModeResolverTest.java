package io.reelroute.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class RunModeResolverTest {

    private String savedAccessKey;

    @BeforeEach
    void clearCredentialProperty() {
        savedAccessKey = System.clearProperty("aws.accessKeyId");
    }

    @AfterEach
    void restoreCredentialProperty() {
        if (savedAccessKey != null) {
            System.setProperty("aws.accessKeyId", savedAccessKey);
        }
    }

    @Test
    void withNothingConfiguredItRunsEmbeddedWithTheEmbeddedRoutes() {
        MockEnvironment env = resolve(new MockEnvironment());

        assertThat(env.getProperty(RunModeResolver.EMBEDDED_PROPERTY)).isEqualTo("true");
        assertThat(env.getProperty("camel.main.routes-include-pattern")).isEqualTo("file:routes/**/*.camel.yaml");
        assertThat(env.getProperty("camel.main.routes-exclude-pattern")).isNull();
    }

    @Test
    void theEmbeddedDefaultReloadsChangedRoutesAndServesTheDeveloperConsole() {
        MockEnvironment embedded = resolve(new MockEnvironment()
                .withProperty("management.endpoints.web.exposure.include", "health,prometheus"));
        assertThat(embedded.getProperty("camel.main.routes-reload-enabled")).isEqualTo("true");
        assertThat(embedded.getProperty("camel.main.routes-reload-directory")).isEqualTo("routes");
        assertThat(embedded.getProperty("camel.main.routes-reload-remove-all-routes")).isEqualTo("false");
        assertThat(embedded.getProperty("camel.main.dev-console-enabled")).isEqualTo("true");
        assertThat(embedded.getProperty("management.endpoints.web.exposure.include")).isEqualTo("health,prometheus,camel");

        MockEnvironment aws = resolve(new MockEnvironment().withProperty("reelroute.mode", "aws"));
        assertThat(aws.getProperty("camel.main.routes-reload-enabled")).isNull();
        assertThat(aws.getProperty("camel.main.dev-console-enabled")).isNull();
        assertThat(resolve(new MockEnvironment().withProperty("camel.main.routes-reload-enabled", "false"))
                .getProperty("camel.main.routes-reload-enabled")).isEqualTo("false");
    }

    @Test
    void anEndpointOrCredentialsMeanAws() {
        assertThat(resolve(new MockEnvironment().withProperty("reelroute.aws.endpoint", "http://localhost:4566"))
                .getProperty(RunModeResolver.EMBEDDED_PROPERTY)).isEqualTo("false");
        assertThat(resolve(new MockEnvironment().withProperty("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"))
                .getProperty(RunModeResolver.EMBEDDED_PROPERTY)).isEqualTo("false");
        MockEnvironment aws = resolve(new MockEnvironment().withProperty("AWS_ACCESS_KEY_ID", "AKIA")
                .withProperty("reelroute.routes.dir", "/etc/reelroute/routes"));
        assertThat(aws.getProperty(RunModeResolver.EMBEDDED_PROPERTY)).isEqualTo("false");
        assertThat(aws.getProperty("camel.main.routes-include-pattern")).isEqualTo("file:/etc/reelroute/routes/**/*.camel.yaml");
        assertThat(aws.getProperty("camel.main.routes-exclude-pattern")).isEqualTo("file:/etc/reelroute/routes/embedded/*.camel.yaml");
    }

    @Test
    void anExplicitModeWinsAndAnExplicitRoutePatternIsKept() {
        MockEnvironment env = resolve(new MockEnvironment().withProperty("reelroute.mode", "embedded")
                .withProperty("AWS_PROFILE", "dev").withProperty("camel.main.routes-include-pattern", "file:mine/*.yaml"));

        assertThat(env.getProperty(RunModeResolver.EMBEDDED_PROPERTY)).isEqualTo("true");
        assertThat(env.getProperty("camel.main.routes-include-pattern")).isEqualTo("file:mine/*.yaml");
        assertThat(resolve(new MockEnvironment().withProperty("reelroute.mode", "aws"))
                .getProperty(RunModeResolver.EMBEDDED_PROPERTY)).isEqualTo("false");
    }

    @Test
    void thePackagerAndLifecycleEventsFollowTheModeUnlessSet() {
        MockEnvironment embedded = resolve(new MockEnvironment());
        assertThat(embedded.getProperty(RunModeResolver.PACKAGER_PROPERTY)).isEqualTo("local");
        assertThat(embedded.getProperty(RunModeResolver.EVENTS_PROPERTY)).isEqualTo("false");

        MockEnvironment aws = resolve(new MockEnvironment().withProperty("reelroute.mode", "aws"));
        assertThat(aws.getProperty(RunModeResolver.PACKAGER_PROPERTY)).isEqualTo("mediaconvert");
        assertThat(aws.getProperty(RunModeResolver.EVENTS_PROPERTY)).isEqualTo("true");

        MockEnvironment chosen = resolve(new MockEnvironment().withProperty("reelroute.mode", "aws")
                .withProperty(RunModeResolver.PACKAGER_PROPERTY, "local").withProperty(RunModeResolver.EVENTS_PROPERTY, "false"));
        assertThat(chosen.getProperty(RunModeResolver.PACKAGER_PROPERTY)).isEqualTo("local");
        assertThat(chosen.getProperty(RunModeResolver.EVENTS_PROPERTY)).isEqualTo("false");
    }

    @Test
    void theEmbeddedDefaultWithoutAuthenticationListensOnLoopbackOnlyUntilOpened() {
        MockEnvironment local = resolve(new MockEnvironment().withProperty("management.server.port", "8082"));
        assertThat(local.getProperty("server.address")).isEqualTo("127.0.0.1");
        assertThat(local.getProperty("management.server.address")).isEqualTo("127.0.0.1");

        MockEnvironment opened = resolve(new MockEnvironment().withProperty("management.server.port", "8082")
                .withProperty(RunModeResolver.BIND_PROPERTY, "0.0.0.0"));
        assertThat(opened.getProperty("server.address")).isEqualTo("0.0.0.0");
        assertThat(opened.getProperty("management.server.address")).isEqualTo("0.0.0.0");

        MockEnvironment explicit = resolve(new MockEnvironment().withProperty("management.server.port", "8082")
                .withProperty("server.address", "192.0.2.10").withProperty(RunModeResolver.BIND_PROPERTY, "0.0.0.0"));
        assertThat(explicit.getProperty("server.address")).as("server.address wins").isEqualTo("192.0.2.10");
        assertThat(explicit.getProperty("management.server.address")).isEqualTo("192.0.2.10");

        // Spring refuses a management address on the API's own port.
        assertThat(resolve(new MockEnvironment()).getProperty("management.server.address")).isNull();
    }

    @Test
    void withAuthenticationOnOrOnAwsEveryInterfaceListens() {
        MockEnvironment authenticated = resolve(new MockEnvironment().withProperty("management.server.port", "8082")
                .withProperty(RunModeResolver.AUTH_PROPERTY, "true"));
        assertThat(authenticated.getProperty("server.address")).isNull();
        assertThat(authenticated.getProperty("management.server.address")).isNull();

        MockEnvironment aws = resolve(new MockEnvironment().withProperty("management.server.port", "8082")
                .withProperty("reelroute.mode", "aws"));
        assertThat(aws.getProperty("server.address")).isNull();
        assertThat(aws.getProperty("management.server.address")).isNull();
        assertThat(resolve(new MockEnvironment().withProperty("reelroute.mode", "aws")
                .withProperty(RunModeResolver.BIND_PROPERTY, "10.0.0.5")).getProperty("server.address")).isEqualTo("10.0.0.5");
    }

    private static MockEnvironment resolve(MockEnvironment env) {
        new RunModeResolver().postProcessEnvironment(env, null);
        return env;
    }
}
