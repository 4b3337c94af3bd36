package io.reelroute.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The layout of routes/ as docs/architecture.md describes it: kit/ holds route templates (each parameter
 * documented) and route configurations, no routes of its own; each folder of pipelines/ is one pipeline with its
 * params schema.
 */
class RouteLayoutTest {

    @Test
    void theKitHoldsDocumentedTemplatesThatTheRouteFilterCanSee() throws IOException {
        List<Path> kit = RouteCatalog.files(".camel.yaml").stream().filter(f -> RouteCatalog.ROUTES.relativize(f).startsWith("kit"))
                .toList();
        assertThat(kit).isNotEmpty();
        for (Path file : kit) {
            for (Object element : (List<?>) new Yaml().load(Files.readString(file))) {
                Map<?, ?> map = (Map<?, ?>) element;
                assertThat(map.keySet()).as("%s: the kit declares templates and route configurations only", file)
                        .allMatch(key -> key.equals("routeTemplate") || key.equals("routeConfiguration"));
                if (map.get("routeTemplate") instanceof Map<?, ?> template) {
                    for (Object parameter : (List<?>) template.get("parameters")) {
                        assertThat(((Map<?, ?>) parameter).get("description")).as("%s: parameter %s is described", file,
                                ((Map<?, ?>) parameter).get("name")).isNotNull();
                    }
                    Map<?, ?> route = template.get("route") instanceof Map<?, ?> r ? r : template;
                    String from = String.valueOf(((Map<?, ?>) route.get("from")).get("uri"));
                    // Camel's route filter matches a template's from URI before its parameters are filled in.
                    assertThat(from).as("%s: its from URI names its component", file).doesNotStartWith("{{");
                }
            }
        }
    }

    @Test
    void eachPipelineFolderHoldsItsSchemaAndEntry() throws IOException {
        try (Stream<Path> folders = Files.list(RouteCatalog.ROUTES.resolve("pipelines"))) {
            for (Path folder : folders.filter(Files::isDirectory).toList()) {
                String name = folder.getFileName().toString();
                assertThat(folder.resolve(name + ".params.schema.json")).as("the %s pipeline's params schema", name).exists();
                assertThat(Files.readString(folder.resolve(name + ".camel.yaml"))).as("the %s pipeline's entry", name)
                        .contains("uri: direct:pipeline-" + name);
            }
        }
    }
}
