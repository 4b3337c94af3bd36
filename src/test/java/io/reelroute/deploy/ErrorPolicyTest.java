package io.reelroute.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.reelroute.contract.FailurePhase;
import io.reelroute.deploy.RouteCatalog.Route;
import io.reelroute.deploy.RouteCatalog.RouteConfiguration;

/**
 * The error policy is declared once (routes/error-policy.camel.yaml) and the hops refer to it by id: no two route
 * files handle the same exception, a hop's own route configuration serves only that hop's file, every id a route
 * names exists, and every hop whose transient errors are noted on the job has a phase for them.
 */
class ErrorPolicyTest {

    static final String POLICY = "kit/error-policy.camel.yaml";

    final RouteCatalog catalog = RouteCatalog.read();

    @Test
    void everyRouteConfigurationIsDeclaredOnceAndEveryIdARouteNamesExists() {
        Map<String, RouteConfiguration> byId = new LinkedHashMap<>();
        for (RouteConfiguration configuration : catalog.configurations()) {
            assertThat(byId.put(configuration.id(), configuration)).as("route configuration %s is declared twice",
                    configuration.id()).isNull();
        }
        for (Route route : catalog.routes().values()) {
            assertThat(byId.keySet()).as("the route configurations of route %s (%s)", route.id(), route.file())
                    .containsAll(route.configurations());
        }
    }

    @Test
    void noExceptionIsHandledInTwoFilesAndAHopsOwnConfigurationServesOnlyItsFile() {
        Map<String, Set<String>> filesByException = new LinkedHashMap<>();
        for (RouteConfiguration configuration : catalog.configurations()) {
            configuration.exceptions().forEach(exception -> filesByException
                    .computeIfAbsent(exception, e -> new TreeSet<>()).add(configuration.file()));
            if (!configuration.file().equals(POLICY)) {
                Set<String> users = catalog.routes().values().stream()
                        .filter(route -> route.configurations().contains(configuration.id()))
                        .map(Route::file).collect(Collectors.toCollection(TreeSet::new));
                assertThat(users).as("%s is %s's own: only its routes use it", configuration.id(), configuration.file())
                        .containsOnly(configuration.file());
            }
        }
        filesByException.forEach((exception, files) -> assertThat(files).as("the files that handle %s", exception)
                .hasSize(1));
    }

    @Test
    void everyHopWhoseTransientErrorsAreNotedHasAPhase() {
        List<Route> noting = catalog.routes().values().stream()
                .filter(route -> route.configurations().contains("transient-faults")).toList();
        assertThat(noting).isNotEmpty();
        for (Route route : noting) {
            assertThat(route.group()).as("route %s names its hop as its group", route.id()).isNotBlank();
            assertThat(FailurePhase.ofHop(route.group())).as("the phase of hop %s", route.group()).isNotNull();
        }
        assertThat(FailurePhase.ofHop("upload-event")).isEqualTo(FailurePhase.CHUNKING);
        assertThat(FailurePhase.ofHop("inference")).isEqualTo(FailurePhase.INFERENCE);
        assertThat(FailurePhase.ofHop("reassembly")).isEqualTo(FailurePhase.REASSEMBLY);
        assertThatThrownBy(() -> FailurePhase.ofHop("no-such-hop")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FailurePhase.ofHop(null)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Routes branch on typed values (InboundMessage.kind(), enums), not on Java class names. */
    @Test
    void noRouteBranchesOnJavaClassNames() throws IOException {
        for (Path file : RouteCatalog.files(".camel.yaml")) {
            assertThat(Files.readString(file)).as(file.toString()).doesNotContain(".class.simpleName", ".class.name");
        }
    }
}
