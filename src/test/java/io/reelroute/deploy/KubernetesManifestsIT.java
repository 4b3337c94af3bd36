package io.reelroute.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.reelroute.contract.ResourceNames;

/**
 * The Kubernetes overlays render, read as their Kubernetes types, and hold the deployment's rules: every role
 * runs routes that exist (with the in-process routes they call), every route runs in some role, the GPU is the
 * inference role's only, probes and scrapes point at what the application serves, KEDA watches the queues the
 * role consumes (queues Terraform creates), shutdown has the time the application takes, every setting the
 * manifests give names one the application has, and the pods are hardened (the restricted Pod Security Standard, no
 * Kubernetes API token, network policies that deny all but what the roles need, prod images by digest). Skipped,
 * saying why, where kubectl is absent.
 */
class KubernetesManifestsIT {

    private static final List<String> OVERLAYS = List.of("dev", "prod");
    private static final Set<String> ROLES = Set.of("api", "media", "inference", "transcode", "watchdog");
    private static final String APP = "reelroute";
    private static final String GPU = "nvidia.com/gpu";

    private static final Map<String, RenderedOverlay> RENDERED = new LinkedHashMap<>();
    private static RouteCatalog catalog;
    private static Properties defaults;

    @BeforeAll
    static void render() throws Exception {
        Path kubectl = RenderedOverlay.kubectlOrSkip("KubernetesManifestsIT");
        for (String overlay : OVERLAYS) {
            RENDERED.put(overlay, RenderedOverlay.render(kubectl, overlay));
        }
        catalog = RouteCatalog.read();
        defaults = properties(Path.of("src", "main", "resources", "application.properties"));
    }

    /**
     * The ConfigMap is flat (a key can't hold a folder), so file names are unique across the folders of routes/; the
     * process loads route files from the mounted folder and every folder under it alike.
     */
    @Test
    void theRoutesConfigMapHoldsEveryHopAsItIs() throws IOException {
        Map<String, Path> hops = new TreeMap<>();
        for (Path file : RouteCatalog.files("")) {
            String name = file.getFileName().toString();
            if (name.endsWith(".camel.yaml") || name.endsWith(".params.schema.json") || name.endsWith("mediaconvert-job.json")) {
                Path other = hops.put(name, file);
                assertThat(other).as("%s and %s: file names are unique across routes/", file, other).isNull();
            }
        }
        for (RenderedOverlay rendered : RENDERED.values()) {
            ConfigMap routes = rendered.configMap("reelroute-routes");
            assertThat(new TreeSet<>(routes.getData().keySet()))
                    .as("%s: routes/kustomization.yaml lists every hop of routes/", rendered.overlay()).isEqualTo(hops.keySet());
            for (Map.Entry<String, Path> hop : hops.entrySet()) {
                assertThat(routes.getData().get(hop.getKey())).isEqualTo(Files.readString(hop.getValue()));
            }
        }
    }

    @Test
    void everyRoleRunsRoutesThatExistAndEveryRouteRunsInSomeRole() {
        for (RenderedOverlay rendered : RENDERED.values()) {
            Set<String> running = new TreeSet<>();
            Set<String> roles = new TreeSet<>();
            for (Deployment deployment : rendered.all(Deployment.class)) {
                String role = role(deployment);
                roles.add(role);
                String selection = env(app(deployment), "REELROUTE_ROUTES_ENABLED").orElseThrow(
                        () -> new AssertionError(deployment.getMetadata().getName() + " sets no REELROUTE_ROUTES_ENABLED"));
                for (String pattern : selection.split(",")) {
                    assertThat(catalog.matching(pattern)).as("%s/%s: %s names a route of routes/", rendered.overlay(), role,
                            pattern).isNotEmpty();
                    // The in-process routes run in every process: a role names only the event sources it runs.
                    assertThat(catalog.matching(pattern)).as("%s/%s: %s names an event source", rendered.overlay(), role,
                            pattern).anyMatch(id -> !catalog.routes().get(id).from().startsWith("direct:"));
                }
                Set<String> enabled = catalog.enabledBy(selection);
                assertThat(catalog.unmetNeeds(enabled)).as("%s/%s: in-process endpoints with no route in the role",
                        rendered.overlay(), role).isEmpty();
                running.addAll(enabled);
            }
            assertThat(roles).as(rendered.overlay()).isEqualTo(ROLES);
            assertThat(running).as("%s: every route of routes/ runs in some role", rendered.overlay())
                    .isEqualTo(new TreeSet<>(catalog.routes().keySet()));
        }
    }

    @Test
    void onlyTheInferenceRoleAsksForAGpuAndItLandsOnGpuNodes() {
        for (RenderedOverlay rendered : RENDERED.values()) {
            for (Deployment deployment : rendered.all(Deployment.class)) {
                PodSpec pod = deployment.getSpec().getTemplate().getSpec();
                boolean asksForGpu = containers(pod).stream().anyMatch(c -> c.getResources().getLimits().containsKey(GPU));
                boolean tolerates = pod.getTolerations().stream().anyMatch(t -> GPU.equals(t.getKey())
                        && "NoSchedule".equals(t.getEffect()));
                if (role(deployment).equals("inference")) {
                    assertThat(asksForGpu).as("%s: inference has a %s limit", rendered.overlay(), GPU).isTrue();
                    assertThat(tolerates).as("%s: inference tolerates the GPU taint", rendered.overlay()).isTrue();
                    assertThat(pod.getNodeSelector()).as("%s: inference selects GPU nodes", rendered.overlay()).isNotEmpty();
                    for (GenericKubernetesResource nodePool : rendered.all("NodePool")) {
                        Map<String, Object> template = map(nodePool.getAdditionalProperties(), "spec", "template");
                        assertThat(map(template, "metadata", "labels")).as("the NodePool's nodes carry the label inference selects")
                                .containsAllEntriesOf(pod.getNodeSelector());
                        assertThat(list(map(template, "spec"), "taints")).as("the NodePool's nodes carry the taint inference tolerates")
                                .anyMatch(taint -> GPU.equals(((Map<?, ?>) taint).get("key")));
                    }
                } else {
                    assertThat(asksForGpu || tolerates || !pod.getNodeSelector().isEmpty())
                            .as("%s/%s: no GPU, GPU toleration or node selection outside inference", rendered.overlay(),
                                    role(deployment)).isFalse();
                }
            }
        }
        assertThat(RENDERED.get("prod").all("NodePool")).as("prod brings a Karpenter NodePool for GPU capacity").hasSize(1);
    }

    @Test
    void probesAndScrapesPointAtWhatTheApplicationServes() {
        // OperationsIT asks the running application for these endpoints; here they must be the ones probed.
        assertThat(defaults.getProperty("management.endpoint.health.probes.enabled")).isEqualTo("true");
        // The probes on the API's port (/livez, /readyz), the actuator on a port of its own.
        assertThat(defaults.getProperty("management.endpoint.health.probes.add-additional-paths")).isEqualTo("true");
        assertThat(defaults.getProperty("management.endpoints.web.exposure.include")).contains("health", "prometheus");
        int port = Integer.parseInt(defaults.getProperty("server.port", "8080"));
        int management = Integer.parseInt(defaults.getProperty("management.server.port", String.valueOf(port)));
        assertThat(management).as("metrics are not served on the API's port").isNotEqualTo(port);
        for (RenderedOverlay rendered : RENDERED.values()) {
            for (Deployment deployment : rendered.all(Deployment.class)) {
                String where = rendered.overlay() + "/" + role(deployment);
                Container app = app(deployment);
                assertThat(app.getPorts()).as(where).anyMatch(p -> "http".equals(p.getName()) && p.getContainerPort() == port);
                assertThat(app.getPorts()).as(where).anyMatch(p -> "management".equals(p.getName())
                        && p.getContainerPort() == management);
                assertThat(httpGet(app.getLivenessProbe())).as(where).isEqualTo("http /livez");
                assertThat(httpGet(app.getStartupProbe())).as(where).isEqualTo("http /livez");
                assertThat(httpGet(app.getReadinessProbe())).as(where).isEqualTo("http /readyz");
                assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).as(where).containsAllEntriesOf(Map.of(
                        "prometheus.io/scrape", "true", "prometheus.io/path", "/actuator/prometheus",
                        "prometheus.io/port", String.valueOf(management)));
                for (Container container : containers(deployment.getSpec().getTemplate().getSpec())) {
                    assertThat(container.getResources().getRequests()).as("%s/%s requests", where, container.getName())
                            .containsKeys("cpu", "memory");
                    assertThat(container.getResources().getLimits()).as("%s/%s limits", where, container.getName())
                            .containsKey("memory");
                }
            }
        }
    }

    @Test
    void theModelServerIsASidecarWithItsOwnProbesOnThePortTheHttpBackendCalls() {
        for (RenderedOverlay rendered : RENDERED.values()) {
            Deployment inference = rendered.named(Deployment.class, "reelroute-inference");
            Container app = app(inference);
            assertThat(env(app, "REELROUTE_INFERENCE_BACKEND")).contains("http");
            URI model = URI.create(env(app, "REELROUTE_INFERENCE_HTTP_URL").orElseThrow());
            assertThat(model.getHost()).isEqualTo("127.0.0.1");
            Container sidecar = inference.getSpec().getTemplate().getSpec().getInitContainers().stream()
                    .filter(c -> c.getName().equals("model-server")).findFirst().orElseThrow();
            assertThat(sidecar.getRestartPolicy()).as("a native sidecar: up before ReelRoute, down after it").isEqualTo("Always");
            assertThat(sidecar.getPorts()).anyMatch(p -> p.getContainerPort() == model.getPort() && "model".equals(p.getName()));
            for (Probe probe : List.of(sidecar.getStartupProbe(), sidecar.getLivenessProbe(), sidecar.getReadinessProbe())) {
                assertThat(httpGet(probe)).isEqualTo("model /ping");
            }
            assertThat(sidecar.getResources().getLimits()).containsKey(GPU);
        }
    }

    @Test
    void kedaScalesEachWorkerRoleOnTheQueuesItConsumesAndTerraformCreates() throws Exception {
        // Terraform's queue names for prefix reelroute, less the prefix: the module names every queue
        // {prefix}-{name} (its own tests rename them with another prefix).
        Optional<Set<String>> terraformQueues = Terraform.find().map(terraform -> terraform.queueNames().stream()
                .map(name -> name.substring("reelroute-".length())).collect(Collectors.toCollection(TreeSet::new)));
        if (terraformQueues.isEmpty()) {
            System.out.println("[SKIPPED] KubernetesManifestsIT: terraform or its provider mirror is absent, so the "
                    + "ScaledObjects' queues are checked against ResourceNames only");
        }
        for (RenderedOverlay rendered : RENDERED.values()) {
            String prefix = rendered.configMap("reelroute-aws").getData().get("REELROUTE_PREFIX");
            Set<String> knownQueues = new LinkedHashSet<>();
            ResourceNames names = ResourceNames.fromPrefix(prefix);
            names.queues().forEach(q -> {
                knownQueues.add(q);
                knownQueues.add(ResourceNames.dlq(q));
            });
            Set<String> scaled = new TreeSet<>();
            for (GenericKubernetesResource scaledObject : rendered.all("ScaledObject")) {
                Map<String, Object> spec = map(scaledObject.getAdditionalProperties(), "spec");
                String target = (String) map(spec, "scaleTargetRef").get("name");
                Deployment deployment = rendered.named(Deployment.class, target);
                String role = role(deployment);
                scaled.add(role);
                Set<String> watched = new TreeSet<>();
                for (Object item : list(spec, "triggers")) {
                    Map<String, Object> trigger = castMap(item);
                    assertThat(trigger.get("type")).isEqualTo("aws-sqs-queue");
                    String authentication = (String) map(trigger, "authenticationRef").get("name");
                    Map<String, Object> podIdentity = map(rendered.all("TriggerAuthentication").stream()
                            .filter(a -> a.getMetadata().getName().equals(authentication)).findFirst().orElseThrow()
                            .getAdditionalProperties(), "spec", "podIdentity");
                    assertThat(podIdentity.get("provider")).isEqualTo("aws");
                    assertThat((String) podIdentity.get("roleArn")).matches("arn:aws:iam::\\d{12}:role/" + prefix + "-keda-scaler");
                    Map<String, Object> metadata = map(trigger, "metadata");
                    assertThat(Integer.parseInt((String) metadata.get("queueLength"))).isPositive();
                    assertThat(metadata.get("awsRegion")).isEqualTo(rendered.configMap("reelroute-aws").getData().get("AWS_REGION"));
                    String url = (String) metadata.get("queueURL");
                    assertThat(url).matches("https://sqs\\.[a-z0-9-]+\\.amazonaws\\.com/\\d{12}/[a-z0-9-]+");
                    String queue = url.substring(url.lastIndexOf('/') + 1);
                    assertThat(knownQueues).as("%s/%s scales on a queue ReelRoute uses", rendered.overlay(), role).contains(queue);
                    watched.add(queue.substring(prefix.length() + 1));
                    terraformQueues.ifPresent(created -> assertThat(created)
                            .as("%s/%s scales on a queue Terraform creates", rendered.overlay(), role)
                            .contains(queue.substring(prefix.length() + 1)));
                }
                assertThat(watched).as("%s/%s scales on exactly the queues its routes consume", rendered.overlay(), role)
                        .isEqualTo(new TreeSet<>(catalog.queuesConsumedBy(
                                catalog.enabledBy(env(app(deployment), "REELROUTE_ROUTES_ENABLED").orElseThrow()))));
                Number min = (Number) spec.get("minReplicaCount");
                if (role.equals("inference") || role.equals("media")) {
                    assertThat(min.intValue()).as("%s/%s scales to zero", rendered.overlay(), role).isZero();
                }
                assertThat(((Number) spec.get("maxReplicaCount")).intValue()).isGreaterThanOrEqualTo(Math.max(1, min.intValue()));
            }
            assertThat(scaled).as(rendered.overlay()).containsExactlyInAnyOrder("inference", "media", "transcode");
        }
    }

    @Test
    void everyRoleHasItsOwnIdentityFromTerraformsOutputs() {
        for (RenderedOverlay rendered : RENDERED.values()) {
            String prefix = rendered.configMap("reelroute-aws").getData().get("REELROUTE_PREFIX");
            Set<String> accounts = new TreeSet<>();
            for (Deployment deployment : rendered.all(Deployment.class)) {
                String role = role(deployment);
                String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
                assertThat(account).isEqualTo("reelroute-" + role);
                accounts.add(account);
                ServiceAccount serviceAccount = rendered.named(ServiceAccount.class, account);
                assertThat(serviceAccount.getMetadata().getAnnotations().get("eks.amazonaws.com/role-arn"))
                        .as("%s/%s: IRSA role", rendered.overlay(), role)
                        .matches("arn:aws:iam::\\d{12}:role/" + prefix + "-" + role);
            }
            assertThat(accounts).hasSize(ROLES.size());
        }
    }

    @Test
    void theOverlaysTakeTerraformsOutputsAsTheyAre() throws IOException {
        Set<String> produced = new TreeSet<>();
        Matcher line = Pattern.compile("\"([A-Z_]+)=\\$\\{")
                .matcher(Files.readString(Terraform.DATA_PLANE.resolve("outputs.tf")));
        while (line.find()) {
            produced.add(line.group(1));
        }
        assertThat(produced).as("the keys of Terraform's kustomize_env output").hasSizeGreaterThan(10);
        for (RenderedOverlay rendered : RENDERED.values()) {
            assertThat(new TreeSet<>(rendered.configMap("reelroute-aws").getData().keySet()))
                    .as("%s/aws.env has the keys `terraform output -raw kustomize_env` writes", rendered.overlay())
                    .isEqualTo(produced);
        }
    }

    @Test
    void podsGetLongerToStopThanTheApplicationTakes() {
        long camel = Long.parseLong(defaults.getProperty("camel.main.shutdown-timeout"));
        Duration spring = DurationStyle.detectAndParse(defaults.getProperty("spring.lifecycle.timeout-per-shutdown-phase"));
        for (RenderedOverlay rendered : RENDERED.values()) {
            for (Deployment deployment : rendered.all(Deployment.class)) {
                assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                        .as("%s/%s", rendered.overlay(), role(deployment)).isGreaterThan(camel + spring.toSeconds());
            }
        }
    }

    @Test
    void theApiIsAServiceThatADisruptionLeavesRunning() {
        for (RenderedOverlay rendered : RENDERED.values()) {
            Deployment api = rendered.named(Deployment.class, "reelroute-api");
            Map<String, String> labels = api.getSpec().getTemplate().getMetadata().getLabels();
            Service service = rendered.named(Service.class, "reelroute-api");
            assertThat(labels).containsAllEntriesOf(service.getSpec().getSelector());
            assertThat(service.getSpec().getPorts()).allMatch(p -> "http".equals(p.getTargetPort().getStrVal()));
            PodDisruptionBudget budget = rendered.named(PodDisruptionBudget.class, "reelroute-api");
            assertThat(labels).containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
            int replicas = api.getSpec().getReplicas();
            if (budget.getSpec().getMinAvailable() != null) {
                assertThat(budget.getSpec().getMinAvailable().getIntVal()).as("a drain can proceed").isLessThan(replicas);
            }
            // Only the api takes requests; the other roles must not be selected by its Service.
            for (Deployment other : rendered.all(Deployment.class)) {
                if (other != api) {
                    assertThat(other.getSpec().getTemplate().getMetadata().getLabels().entrySet()
                            .containsAll(service.getSpec().getSelector().entrySet()))
                            .as("%s/%s", rendered.overlay(), role(other)).isFalse();
                }
            }
        }
    }

    @Test
    void routesAndSettingsAreMountedWhereTheImageLooksForThem() throws IOException {
        String dockerfile = Files.readString(DockerfileTest.DOCKERFILE);
        assertThat(dockerfile).contains("REELROUTE_ROUTES_DIR=/app/routes").contains("WORKDIR /app");
        for (RenderedOverlay rendered : RENDERED.values()) {
            for (Deployment deployment : rendered.all(Deployment.class)) {
                PodSpec pod = deployment.getSpec().getTemplate().getSpec();
                Map<String, String> mounts = app(deployment).getVolumeMounts().stream()
                        .collect(Collectors.toMap(VolumeMount::getMountPath, VolumeMount::getName));
                // Spring Boot reads ./config/application.properties from the working directory, /app.
                assertThat(configMapOf(pod, mounts.get("/app/routes"))).startsWith("reelroute-routes-");
                assertThat(configMapOf(pod, mounts.get("/app/config"))).startsWith("reelroute-settings-");
                assertThat(pod.getVolumes()).as("%s/%s: a writable /tmp", rendered.overlay(), role(deployment))
                        .anyMatch(v -> v.getName().equals(mounts.get("/tmp")) && v.getEmptyDir() != null);
            }
        }
    }

    @Test
    void everySettingTheManifestsGiveIsOneTheApplicationHas() throws IOException {
        Set<String> known = defaults.stringPropertyNames();
        for (RenderedOverlay rendered : RENDERED.values()) {
            for (Deployment deployment : rendered.all(Deployment.class)) {
                for (EnvVar variable : app(deployment).getEnv()) {
                    if (variable.getName().startsWith("REELROUTE_")) {
                        SystemEnvironmentPropertySource environment = new SystemEnvironmentPropertySource("env",
                                Map.of(variable.getName(), "x"));
                        assertThat(known).as("%s/%s: %s", rendered.overlay(), role(deployment), variable.getName())
                                .anyMatch(environment::containsProperty);
                    }
                }
            }
            ConfigMap settings = rendered.configMap("reelroute-settings");
            for (Map.Entry<String, String> file : settings.getData().entrySet()) {
                Properties given = new Properties();
                given.load(new StringReader(file.getValue()));
                for (String key : given.stringPropertyNames()) {
                    if (key.startsWith("reelroute.")) {
                        assertThat(known).as("%s: %s in %s", rendered.overlay(), key, file.getKey()).contains(key);
                    }
                }
            }
            assertThat(settings.getData()).containsKeys("application.properties", "overlay.properties");
        }
    }

    /**
     * Pod Security Admission enforces the "restricted" standard on each overlay's namespace, and every container of
     * every role meets it (the fields that standard checks, with a container's own setting over its pod's), with a
     * read-only root file system besides.
     */
    @Test
    void everyContainerMeetsTheRestrictedPodSecurityStandardTheNamespaceEnforces() {
        Set<String> allowedVolumes = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                "projected", "secret");
        for (RenderedOverlay rendered : RENDERED.values()) {
            String namespace = rendered.configMap("reelroute-aws").getMetadata().getNamespace();
            Namespace created = rendered.named(Namespace.class, namespace);
            assertThat(created.getMetadata().getLabels()).as("%s: Pod Security Admission on %s", rendered.overlay(), namespace)
                    .containsAllEntriesOf(Map.of("pod-security.kubernetes.io/enforce", "restricted",
                            "pod-security.kubernetes.io/audit", "restricted", "pod-security.kubernetes.io/warn", "restricted"));
            for (Deployment deployment : rendered.all(Deployment.class)) {
                PodSpec pod = deployment.getSpec().getTemplate().getSpec();
                String where = rendered.overlay() + "/" + role(deployment);
                assertThat(deployment.getMetadata().getNamespace()).isEqualTo(namespace);
                assertThat(List.of(Boolean.TRUE.equals(pod.getHostNetwork()), Boolean.TRUE.equals(pod.getHostPID()),
                        Boolean.TRUE.equals(pod.getHostIPC()))).as("%s: no host namespaces", where).containsOnly(false);
                for (Volume volume : pod.getVolumes()) {
                    Map<?, ?> fields = new ObjectMapper().convertValue(volume, Map.class);
                    assertThat(fields.keySet()).as("%s: volume %s is of a type the standard allows", where, volume.getName())
                            .allMatch(field -> field.equals("name") || allowedVolumes.contains(field));
                }
                PodSecurityContext podContext = Optional.ofNullable(pod.getSecurityContext()).orElseGet(PodSecurityContext::new);
                for (Container container : containers(pod)) {
                    String in = where + "/" + container.getName();
                    SecurityContext own = Optional.ofNullable(container.getSecurityContext()).orElseGet(SecurityContext::new);
                    assertThat(firstOf(own.getRunAsNonRoot(), podContext.getRunAsNonRoot())).as("%s: runAsNonRoot", in).isTrue();
                    assertThat(firstOf(own.getRunAsUser(), podContext.getRunAsUser())).as("%s: runAsUser", in).isNotEqualTo(0L);
                    SeccompProfile seccomp = firstOf(own.getSeccompProfile(), podContext.getSeccompProfile());
                    assertThat(seccomp).as("%s: a seccomp profile", in).isNotNull();
                    assertThat(seccomp.getType()).as("%s: seccomp", in).isIn("RuntimeDefault", "Localhost");
                    assertThat(own.getAllowPrivilegeEscalation()).as("%s: allowPrivilegeEscalation", in).isFalse();
                    assertThat(own.getPrivileged()).as("%s: privileged", in).isNotEqualTo(Boolean.TRUE);
                    assertThat(own.getCapabilities()).as("%s: capabilities", in).isNotNull();
                    assertThat(own.getCapabilities().getDrop()).as("%s: drops every capability", in).contains("ALL");
                    assertThat(own.getCapabilities().getAdd()).as("%s: adds none but NET_BIND_SERVICE", in)
                            .isSubsetOf("NET_BIND_SERVICE");
                    assertThat(own.getReadOnlyRootFilesystem()).as("%s: a read-only root file system", in).isTrue();
                    assertThat(container.getPorts()).as("%s: no host ports", in).allMatch(p -> p.getHostPort() == null);
                    assertThat(container.getVolumeMounts()).as("%s: a writable /tmp", in)
                            .anyMatch(m -> m.getMountPath().equals("/tmp") && !Boolean.TRUE.equals(m.getReadOnly()));
                }
            }
        }
    }

    /**
     * No role calls the Kubernetes API, so no pod gets a token for it; IRSA's token is another, projected by EKS's
     * webhook whatever automountServiceAccountToken says.
     */
    @Test
    void noPodMountsAKubernetesApiToken() {
        for (RenderedOverlay rendered : RENDERED.values()) {
            assertThat(rendered.all(ServiceAccount.class)).as(rendered.overlay()).hasSize(ROLES.size())
                    .allSatisfy(account -> assertThat(account.getAutomountServiceAccountToken())
                            .as("%s: %s", rendered.overlay(), account.getMetadata().getName()).isFalse());
            for (Deployment deployment : rendered.all(Deployment.class)) {
                assertThat(deployment.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
                        .as("%s/%s", rendered.overlay(), role(deployment)).isFalse();
            }
        }
    }

    /**
     * The namespace denies all traffic but what the roles need: DNS, HTTPS out (AWS, not the instance metadata
     * service), the api's HTTP port from anywhere, and scraping from a monitoring namespace on the port the pods'
     * annotation names and on the management port. Nothing reaches the model server's port from outside its pod.
     */
    @Test
    void networkPoliciesDenyEverythingButWhatTheRolesNeed() {
        for (RenderedOverlay rendered : RENDERED.values()) {
            List<NetworkPolicy> policies = rendered.all(NetworkPolicy.class);
            assertThat(policies).as("%s: a default deny, in and out, for every pod", rendered.overlay()).anySatisfy(policy -> {
                assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
                assertThat(policy.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
                assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
                assertThat(policy.getSpec().getIngress()).isEmpty();
                assertThat(policy.getSpec().getEgress()).isEmpty();
            });
            for (NetworkPolicy policy : policies) {
                String name = rendered.overlay() + "/" + policy.getMetadata().getName();
                assertThat(policy.getSpec().getPodSelector().getMatchExpressions()).as(name).isNullOrEmpty();
                // A rule without ports opens every port.
                assertThat(policy.getSpec().getIngress()).as("%s: ingress names its ports", name).allMatch(r -> !r.getPorts().isEmpty());
                assertThat(policy.getSpec().getEgress()).as("%s: egress names its ports", name).allMatch(r -> !r.getPorts().isEmpty());
            }
            List<NetworkPolicyEgressRule> egress = policies.stream().filter(p -> selectsEveryPod(p))
                    .flatMap(p -> p.getSpec().getEgress().stream()).toList();
            assertThat(egress).as("%s: DNS to kube-system", rendered.overlay()).anySatisfy(rule -> {
                assertThat(ports(rule.getPorts())).contains("UDP/53", "TCP/53");
                assertThat(rule.getTo()).allMatch(peer -> peer.getIpBlock() == null && Map.of("kubernetes.io/metadata.name", "kube-system")
                        .equals(peer.getNamespaceSelector().getMatchLabels()));
            });
            assertThat(egress).as("%s: HTTPS out, but not to the instance metadata service", rendered.overlay()).anySatisfy(rule -> {
                assertThat(ports(rule.getPorts())).containsExactly("TCP/443");
                assertThat(rule.getTo()).singleElement().satisfies(peer -> {
                    assertThat(peer.getIpBlock().getCidr()).isEqualTo("0.0.0.0/0");
                    assertThat(peer.getIpBlock().getExcept()).anyMatch(cidr -> covers(cidr, "169.254.169.254"));
                });
            });
            for (Deployment deployment : rendered.all(Deployment.class)) {
                String where = rendered.overlay() + "/" + role(deployment);
                Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
                List<NetworkPolicyIngressRule> ingress = policies.stream()
                        .filter(p -> labels.entrySet().containsAll(Optional.ofNullable(p.getSpec().getPodSelector().getMatchLabels())
                                .orElse(Map.of()).entrySet()))
                        .flatMap(p -> p.getSpec().getIngress().stream()).toList();
                String scrapePort = deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("prometheus.io/port");
                for (String port : List.of("TCP/" + scrapePort, "TCP/8082")) {
                    assertThat(ingress).as("%s: Prometheus scrapes %s from a monitoring namespace", where, port).anySatisfy(rule -> {
                        assertThat(ports(rule.getPorts())).contains(port);
                        assertThat(rule.getFrom()).isNotEmpty().allMatch(peer -> peer.getIpBlock() == null && peer.getPodSelector() == null
                                && Map.of("reelroute.io/monitoring", "true").equals(peer.getNamespaceSelector().getMatchLabels()));
                    });
                }
                assertThat(ingress).as("%s: the monitoring namespace reaches the management port only, not the API's", where)
                        .filteredOn(rule -> !rule.getFrom().isEmpty())
                        .allSatisfy(rule -> assertThat(ports(rule.getPorts())).doesNotContain("TCP/8080"));
                boolean openToAll = ingress.stream().anyMatch(rule -> rule.getFrom().isEmpty());
                if (role(deployment).equals("api")) {
                    assertThat(ingress).as("%s: the API's HTTP port from anywhere", where)
                            .anyMatch(rule -> rule.getFrom().isEmpty() && ports(rule.getPorts()).equals(List.of("TCP/8080")));
                } else {
                    assertThat(openToAll).as("%s: takes no traffic but scraping", where).isFalse();
                }
                for (Container container : containers(deployment.getSpec().getTemplate().getSpec())) {
                    if (container.getName().equals(APP)) {
                        continue;
                    }
                    for (ContainerPort port : container.getPorts()) {
                        assertThat(ingress).as("%s: nothing outside the pod reaches %s's port %s", where, container.getName(),
                                port.getContainerPort()).allMatch(rule -> rule.getPorts().stream().noneMatch(p ->
                                        port.getContainerPort().equals(p.getPort().getIntVal())
                                        || port.getName().equals(p.getPort().getStrVal())));
                    }
                }
            }
        }
    }

    /** Production pods run exactly the images that were tested: every image by digest. */
    @Test
    void prodReferencesEveryImageByDigest() {
        RenderedOverlay prod = RENDERED.get("prod");
        List<String> images = prod.all(Deployment.class).stream()
                .flatMap(d -> containers(d.getSpec().getTemplate().getSpec()).stream()).map(Container::getImage).toList();
        assertThat(images).isNotEmpty().allMatch(image -> image.matches("[^@\\s]+@sha256:[0-9a-f]{64}"), "referenced by digest");
    }

    // --- reading the objects ---

    private static String role(Deployment deployment) {
        return deployment.getMetadata().getLabels().get("app.kubernetes.io/component");
    }

    private static Container app(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(APP)).findFirst()
                .orElseThrow(() -> new AssertionError(deployment.getMetadata().getName() + " has no container " + APP));
    }

    private static List<Container> containers(PodSpec pod) {
        List<Container> all = new ArrayList<>(pod.getContainers());
        all.addAll(pod.getInitContainers());
        return all;
    }

    private static Optional<String> env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst();
    }

    private static <T> T firstOf(T own, T inherited) {
        return own != null ? own : inherited;
    }

    private static boolean selectsEveryPod(NetworkPolicy policy) {
        return Optional.ofNullable(policy.getSpec().getPodSelector().getMatchLabels()).orElse(Map.of()).isEmpty();
    }

    /** A rule's ports as PROTOCOL/port. */
    private static List<String> ports(List<NetworkPolicyPort> ports) {
        return ports.stream().map(p -> Optional.ofNullable(p.getProtocol()).orElse("TCP") + "/"
                + (p.getPort().getIntVal() != null ? p.getPort().getIntVal() : p.getPort().getStrVal())).toList();
    }

    /** Whether an IPv4 CIDR holds the address. */
    private static boolean covers(String cidr, String address) {
        String[] parts = cidr.split("/");
        int bits = Integer.parseInt(parts[1]);
        long mask = bits == 0 ? 0 : 0xFFFFFFFFL << (32 - bits) & 0xFFFFFFFFL;
        return (ipv4(parts[0]) & mask) == (ipv4(address) & mask);
    }

    private static long ipv4(String address) {
        long value = 0;
        for (String octet : address.split("\\.")) {
            value = value << 8 | Integer.parseInt(octet);
        }
        return value;
    }

    private static String httpGet(Probe probe) {
        assertThat(probe).isNotNull();
        return probe.getHttpGet().getPort().getStrVal() + " " + probe.getHttpGet().getPath();
    }

    private static String configMapOf(PodSpec pod, String volume) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(volume)).findFirst().map(Volume::getConfigMap)
                .orElseThrow(() -> new AssertionError("no volume " + volume)).getName();
    }

    private static Map<String, Object> map(Map<String, Object> from, String... path) {
        Map<String, Object> node = from;
        for (String key : path) {
            node = castMap(node.get(key));
        }
        return node;
    }

    private static List<?> list(Map<String, Object> from, String key) {
        return (List<?>) from.get(key);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object node) {
        assertThat(node).isInstanceOf(Map.class);
        return (Map<String, Object>) node;
    }

    private static Properties properties(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        return properties;
    }
}
