package io.reelroute.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.reelroute.testing.Executables;

/**
 * An overlay rendered by {@code kubectl kustomize} and read into fabric8's typed Kubernetes objects (custom
 * resources such as KEDA's and Karpenter's stay generic). A field the type does not know makes reading fail,
 * so a misspelt or misplaced key is caught, not carried along as an "additional property".
 */
public record RenderedOverlay(String overlay, List<HasMetadata> objects) {

    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Namespace", Namespace.class,
            "v1/Service", Service.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** kubectl on the PATH, or empty. */
    static Optional<Path> kubectl() {
        return Executables.onPath("kubectl");
    }

    /** kubectl, or the calling test is skipped (a {@code [SKIPPED] test: ...} line and a JUnit assumption). */
    public static Path kubectlOrSkip(String test) {
        Optional<Path> kubectl = kubectl();
        if (kubectl.isEmpty()) {
            System.out.println("[SKIPPED] " + test + ": kubectl (with kustomize) is not on the PATH");
        }
        assumeTrue(kubectl.isPresent(), "kubectl is not on the PATH");
        return kubectl.get();
    }

    public static RenderedOverlay render(Path kubectl, String overlay) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", "k8s/overlays/" + overlay).start();
        String rendered = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError("kubectl kustomize k8s/overlays/" + overlay + " failed: " + errors);
        }
        List<HasMetadata> objects = new ArrayList<>();
        for (Object document : new YAMLMapper().readerFor(Map.class).readValues(rendered).readAll()) {
            Map<?, ?> raw = (Map<?, ?>) document;
            Class<? extends HasMetadata> type = TYPES.getOrDefault(raw.get("apiVersion") + "/" + raw.get("kind"),
                    GenericKubernetesResource.class);
            HasMetadata object = JSON.convertValue(raw, type);
            List<String> unknown = new ArrayList<>();
            if (type != GenericKubernetesResource.class) {
                unknownFields(object, raw.get("kind") + "/" + object.getMetadata().getName(), unknown);
            }
            if (!unknown.isEmpty()) {
                throw new AssertionError(overlay + ": fields unknown to their Kubernetes types: " + unknown);
            }
            objects.add(object);
        }
        return new RenderedOverlay(overlay, objects);
    }

    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<GenericKubernetesResource> all(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(r -> kind.equals(r.getKind())).toList();
    }

    <T extends HasMetadata> T named(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": no " + type.getSimpleName() + " " + name));
    }

    /** A generated ConfigMap, whatever its content hash. */
    ConfigMap configMap(String generatedName) {
        return all(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().startsWith(generatedName + "-"))
                .findFirst().orElseThrow(() -> new AssertionError(overlay + ": no ConfigMap " + generatedName));
    }

    /** The reelroute container's environment as the Deployment gives it: literals and the aws.env ConfigMap. */
    public Map<String, String> containerEnvironment(Deployment deployment) {
        ConfigMap aws = configMap("reelroute-aws");
        Map<String, String> environment = new LinkedHashMap<>();
        for (EnvVar variable : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (variable.getValue() != null) {
                environment.put(variable.getName(), variable.getValue());
            } else if (variable.getValueFrom().getConfigMapKeyRef() != null) {
                environment.put(variable.getName(), aws.getData().get(variable.getValueFrom().getConfigMapKeyRef().getKey()));
            }
        }
        return environment;
    }

    /**
     * fabric8's types keep fields they don't know in additionalProperties (Jackson's any-setter, which
     * FAIL_ON_UNKNOWN_PROPERTIES does not refuse): any found anywhere in the object is a mistake in a manifest.
     */
    private static void unknownFields(Object node, String path, List<String> unknown) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> unknownFields(value, path + "." + key, unknown));
        } else if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown);
            }
        } else if (node != null && node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            for (Method getter : node.getClass().getMethods()) {
                if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                        || getter.getDeclaringClass() == Object.class) {
                    continue;
                }
                Object value;
                try {
                    value = getter.invoke(node);
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException(e);
                }
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + ": " + extra.keySet());
                    }
                } else {
                    unknownFields(value, path + "." + getter.getName().substring(3), unknown);
                }
            }
        }
    }
}
