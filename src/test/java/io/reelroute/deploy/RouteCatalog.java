package io.reelroute.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.camel.support.PatternHelper;
import org.yaml.snakeyaml.Yaml;

/**
 * What the hops in {@code routes/} declare, read from their YAML: each route's id, the endpoint it consumes, the
 * in-process endpoints ({@code direct:}, {@code seda:}) it sends to and needs a consumer for, its group and the
 * route configurations (error policy) it follows; a route made from a route template is read from the template
 * with its parameters filled in. Route files lie in folders under {@code routes/}; the embedded default's
 * {@code routes/embedded/} is not part of a deployment and is left out.
 *
 * Selections match as Camel's route filter matches ({@code RouteFilters}): a pattern matches a route's id or
 * its from URI. REST DSL operations reach the filter without an id, as {@code rest://{verb}:{path}...}, and the
 * OpenAPI document as {@code rest-api:///{apiContextPath}}, so only patterns on those URIs select them.
 */
record RouteCatalog(Map<String, Route> routes, List<RouteConfiguration> configurations) {

    static final Path ROUTES = Path.of("routes");

    /**
     * A route: its id, what it consumes, and the in-process endpoints it can't do without. {@code filteredById}
     * is false where the route filter sees no id (REST operations, the OpenAPI document).
     */
    record Route(String file, String id, String from, Set<String> needs, boolean filteredById, String group,
            List<String> configurations) {

        boolean selectedBy(String pattern) {
            return (filteredById && PatternHelper.matchPattern(id, pattern)) || PatternHelper.matchPattern(from, pattern);
        }
    }

    /** A route configuration: where it is declared, and the exception classes its onException clauses name. */
    record RouteConfiguration(String file, String id, List<String> exceptions) {
    }

    private static final List<String> VERBS = List.of("get", "post", "put", "patch", "delete", "head");

    private static final Pattern IN_PROCESS = Pattern.compile("^(direct|seda):([A-Za-z0-9_.-]+)(\\?.*)?$");

    /** The files under routes/ whose names end with the suffix, in every folder but embedded/, sorted. */
    static List<Path> files(String suffix) {
        try (Stream<Path> walk = Files.walk(ROUTES)) {
            return walk.filter(f -> f.getFileName().toString().endsWith(suffix))
                    .filter(f -> !ROUTES.relativize(f).startsWith("embedded")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RouteCatalog read() {
        Map<String, List<Map<?, ?>>> elementsByFile = new LinkedHashMap<>();
        for (Path file : files(".camel.yaml")) {
            List<Map<?, ?>> elements = new ArrayList<>();
            try {
                for (Object element : (List<?>) new Yaml().load(Files.readString(file))) {
                    elements.add((Map<?, ?>) element);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            elementsByFile.put(ROUTES.relativize(file).toString(), elements);
        }
        Map<String, Map<?, ?>> templates = new LinkedHashMap<>();
        elementsByFile.values().forEach(elements -> elements.forEach(element -> {
            if (element.get("routeTemplate") instanceof Map<?, ?> template) {
                templates.put((String) template.get("id"), template);
            }
        }));
        Map<String, Route> routes = new LinkedHashMap<>();
        List<RouteConfiguration> configurations = new ArrayList<>();
        elementsByFile.forEach((file, elements) -> elements.forEach(element -> read(file, element, templates, routes,
                configurations)));
        return new RouteCatalog(routes, configurations);
    }

    private static void read(String file, Map<?, ?> element, Map<String, Map<?, ?>> templates, Map<String, Route> routes,
            List<RouteConfiguration> configurations) {
        if (element.get("route") instanceof Map<?, ?> route) {
            routes.put((String) route.get("id"), route(file, (String) route.get("id"), route));
        } else if (element.get("templatedRoute") instanceof Map<?, ?> templated) {
            Map<?, ?> template = templates.get((String) templated.get("routeTemplateRef"));
            if (template == null) {
                throw new IllegalStateException(file + ": no route template " + templated.get("routeTemplateRef"));
            }
            String id = (String) templated.get("routeId");
            routes.put(id, route(file, id, (Map<?, ?>) instantiate(template, templated)));
        } else if (element.get("routeConfiguration") instanceof Map<?, ?> configuration) {
            List<String> exceptions = new ArrayList<>();
            if (configuration.get("onException") instanceof List<?> clauses) {
                for (Object clause : clauses) {
                    exceptions.addAll(strings(((Map<?, ?>) ((Map<?, ?>) clause).get("onException")).get("exception")));
                }
            }
            configurations.add(new RouteConfiguration(file, (String) configuration.get("id"), exceptions));
        } else if (element.get("rest") instanceof Map<?, ?> rest) {
            // The REST DSL makes a route of every operation.
            for (String verb : VERBS) {
                if (rest.get(verb) instanceof List<?> operations) {
                    for (Object operation : operations) {
                        Map<?, ?> op = (Map<?, ?>) operation;
                        String uri = "rest://" + verb + ":" + rest.get("path") + (op.get("path") == null ? "" : ":" + op.get("path"));
                        routes.put((String) op.get("id"), new Route(file, (String) op.get("id"), uri, needs(op), false,
                                null, List.of()));
                    }
                }
            }
        } else if (element.get("restConfiguration") instanceof Map<?, ?> rest && rest.get("apiContextPath") != null) {
            routes.put("rest-api", new Route(file, "rest-api", "rest-api://" + rest.get("apiContextPath"), Set.of(), false,
                    null, List.of()));
        }
    }

    private static Route route(String file, String id, Map<?, ?> route) {
        String from = String.valueOf(((Map<?, ?>) route.get("from")).get("uri"));
        return new Route(file, id, from, needs(route), true, (String) route.get("group"),
                strings(route.get("routeConfigurationId")));
    }

    /**
     * The template's route with the templated route's parameters (or the template's defaults) in place of their
     * {@code {{name}}} placeholders, as Camel makes it; other placeholders (settings) are left as they are.
     */
    private static Object instantiate(Map<?, ?> template, Map<?, ?> templated) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Object parameter : (List<?>) template.get("parameters")) {
            Map<?, ?> p = (Map<?, ?>) parameter;
            if (p.get("defaultValue") != null) {
                values.put((String) p.get("name"), String.valueOf(p.get("defaultValue")));
            }
        }
        if (templated.get("parameters") instanceof List<?> given) {
            given.forEach(p -> values.put((String) ((Map<?, ?>) p).get("name"), String.valueOf(((Map<?, ?>) p).get("value"))));
        }
        // A template declares its route under route:, or its from: directly.
        Map<?, ?> route = template.get("route") instanceof Map<?, ?> r ? r : Map.of("from", template.get("from"));
        return fill(route, values);
    }

    private static Object fill(Object node, Map<String, String> values) {
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> filled = new LinkedHashMap<>();
            map.forEach((key, value) -> filled.put(key, fill(value, values)));
            return filled;
        }
        if (node instanceof List<?> list) {
            return list.stream().map(item -> fill(item, values)).toList();
        }
        if (node instanceof String text) {
            // Until nothing changes: a value may hold placeholders of other parameters.
            String filled = text;
            String before;
            do {
                before = filled;
                for (Map.Entry<String, String> value : values.entrySet()) {
                    filled = filled.replace("{{" + value.getKey() + "}}", value.getValue());
                }
            } while (!filled.equals(before));
            return filled;
        }
        return node;
    }

    /** A YAML list of strings, or one string of comma-separated values. */
    private static List<String> strings(Object node) {
        if (node instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        if (node instanceof String text) {
            return Stream.of(text.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        }
        return List.of();
    }

    /** Every direct:/seda: endpoint the element sends to, unless it tolerates a missing consumer. */
    private static Set<String> needs(Object node) {
        Set<String> needs = new LinkedHashSet<>();
        collect(node, needs, true);
        return needs;
    }

    private static void collect(Object node, Set<String> needs, boolean top) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if (top && "from".equals(key) && value instanceof Map<?, ?> from) {
                    collect(from.get("steps"), needs, false);
                } else {
                    collect(value, needs, false);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collect(item, needs, false));
        } else if (node instanceof String text) {
            Matcher uri = IN_PROCESS.matcher(text.trim());
            if (uri.matches() && (uri.group(3) == null || !uri.group(3).contains("failIfNoConsumers=false"))) {
                needs.add(uri.group(1) + ":" + uri.group(2));
            }
        }
    }

    /**
     * The routes a process with this reelroute.routes.enabled runs: Camel's route filter, with the include pattern
     * application.properties gives it (the in-process routes, and the selection).
     */
    Set<String> enabledBy(String selection) {
        String patterns = filterPattern().replace("${reelroute.routes.enabled}", selection);
        Set<String> enabled = new LinkedHashSet<>();
        for (String id : routes.keySet()) {
            for (String pattern : patterns.split(",")) {
                if (routes.get(id).selectedBy(pattern.trim())) {
                    enabled.add(id);
                }
            }
        }
        return enabled;
    }

    private static String filterPattern() {
        java.util.Properties defaults = new java.util.Properties();
        try (var in = Files.newInputStream(Path.of("src", "main", "resources", "application.properties"))) {
            defaults.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return defaults.getProperty("camel.main.route-filter-include-pattern");
    }

    /** Ids of the routes the pattern selects; empty when it selects nothing. */
    List<String> matching(String pattern) {
        return routes.values().stream().filter(r -> r.selectedBy(pattern.trim())).map(Route::id).toList();
    }

    /**
     * The in-process endpoints that the event sources among these routes reach (directly, or through the
     * in-process routes they call) and none of these routes consumes.
     */
    List<String> unmetNeeds(Set<String> enabled) {
        Map<String, String> consumers = new LinkedHashMap<>();
        enabled.forEach(id -> consumers.put(routes.get(id).from().replaceFirst("\\?.*", ""), id));
        java.util.Deque<String> reached = new java.util.ArrayDeque<>();
        enabled.stream().filter(id -> !routes.get(id).from().startsWith("direct:")).forEach(reached::add);
        Set<String> visited = new LinkedHashSet<>(reached);
        List<String> unmet = new ArrayList<>();
        while (!reached.isEmpty()) {
            String id = reached.pop();
            for (String need : routes.get(id).needs()) {
                String consumer = consumers.get(need);
                if (consumer == null) {
                    unmet.add(id + " → " + need);
                } else if (visited.add(consumer)) {
                    reached.add(consumer);
                }
            }
        }
        return unmet;
    }

    /** The queue suffixes ({prefix}-X) the enabled routes consume with aws2-sqs. */
    Set<String> queuesConsumedBy(Set<String> enabled) {
        Set<String> queues = new LinkedHashSet<>();
        Pattern sqs = Pattern.compile("^aws2-sqs:\\{\\{reelroute\\.prefix}}-([a-z0-9-]+)");
        for (String id : enabled) {
            Matcher m = sqs.matcher(routes.get(id).from());
            if (m.find()) {
                queues.add(m.group(1));
            }
        }
        return queues;
    }
}
