package dev.igm.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.cluster.LocalFlinkCluster;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files agree with the build: deploy/docker-compose.yml, deploy/k8s/*.yaml,
 * deploy/k8s/Dockerfile and the local cluster's generated configuration
 * (deploy/local/flink-cluster.sh) use the Flink and Kafka versions of the parent pom, the job jar
 * name the build writes, and only Flink configuration keys that Flink 2.2 defines (the keys of the
 * {@code ConfigOption}s in {@code org.apache.flink.configuration.*Options} and RocksDB's options,
 * found by reflection; deprecated fallback keys such as {@code state.checkpoints.dir} are
 * rejected).
 */
class DeploymentManifestsTest {

  private static Path root;
  private static String flinkVersion;
  private static String kafkaVersion;
  private static String projectVersion;
  private static String jobJar;
  private static Set<String> flinkKeys;

  @BeforeAll
  static void readBuild() throws Exception {
    root = LocalFlinkCluster.locateProjectRoot();
    Document parent = xml(root.resolve("pom.xml"));
    flinkVersion = property(parent, "flink.version");
    kafkaVersion = property(parent, "kafka.version");
    projectVersion = child(parent.getDocumentElement(), "version").getTextContent().trim();
    jobJar = jobJarName();
    flinkKeys = flinkConfigKeys();
  }

  // ------------------------------------------------------------------ docker compose

  @Test
  void composeImagesMatchThePomVersions() throws IOException {
    Map<String, Object> compose = yaml(root.resolve("deploy/docker-compose.yml"));
    Map<String, Object> services = map(compose.get("services"));
    assertThat(services)
        .containsKeys("kafka", "jobmanager", "taskmanager-1", "taskmanager-2", "train");
    int flinkImages = 0;
    for (Map.Entry<String, Object> e : services.entrySet()) {
      String image = (String) map(e.getValue()).get("image");
      assertThat(image).as("service %s has an image", e.getKey()).isNotBlank();
      if (image.startsWith("flink:") || image.startsWith("apache/flink:")) {
        assertThat(tag(image)).as("service %s", e.getKey()).isEqualTo(flinkVersion + "-java17");
        flinkImages++;
      } else if (image.startsWith("apache/kafka:")) {
        assertThat(tag(image)).as("service %s", e.getKey()).isEqualTo(kafkaVersion);
      } else if (image.startsWith("prom/prometheus:") || image.startsWith("grafana/grafana:")) {
        // the optional monitoring stack: pinned versions, started only with --profile monitoring
        assertThat(tag(image)).as("service %s", e.getKey()).matches("v?\\d+\\.\\d+\\.\\d+");
        assertThat(strings(map(e.getValue()).get("profiles")))
            .as("profiles of %s", e.getKey())
            .containsExactly("monitoring");
      } else {
        throw new AssertionError("unexpected image " + image + " in service " + e.getKey());
      }
    }
    assertThat(flinkImages).isGreaterThanOrEqualTo(4);
    assertThat(map(services.get("jobmanager")).get("command")).isEqualTo("jobmanager");
    assertThat(map(services.get("taskmanager-1")).get("command")).isEqualTo("taskmanager");
    assertThat(map(services.get("taskmanager-2")).get("command")).isEqualTo("taskmanager");
  }

  @Test
  void composePublishesPortsOnTheHostsLoopbackOnly() throws IOException {
    Map<String, Object> services =
        map(yaml(root.resolve("deploy/docker-compose.yml")).get("services"));
    int published = 0;
    for (Map.Entry<String, Object> e : services.entrySet()) {
      Object ports = map(e.getValue()).get("ports");
      for (Object port : ports == null ? List.of() : (List<?>) ports) {
        // HOST_IP:HOST_PORT:CONTAINER_PORT; without HOST_IP, Docker publishes on every interface of
        // the host
        assertThat(port.toString())
            .as(
                "port of service %s (Flink REST accepts job submissions unauthenticated)",
                e.getKey())
            .startsWith("127.0.0.1:");
        published++;
      }
    }
    assertThat(published)
        .as("the broker's and the REST endpoint's ports")
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void composeMountsTheBuildsJobJar() throws IOException {
    Map<String, Object> services =
        map(yaml(root.resolve("deploy/docker-compose.yml")).get("services"));
    for (String service : List.of("train", "replay")) {
      Map<String, Object> s = map(services.get(service));
      List<String> jarMounts = new ArrayList<>();
      for (Object v : (List<?>) s.get("volumes")) {
        String volume = v.toString();
        if (volume.contains(".jar")) {
          jarMounts.add(volume);
        }
      }
      assertThat(jarMounts).as(service).hasSize(1);
      String[] parts = jarMounts.get(0).split(":");
      Path source = root.resolve("deploy").resolve(parts[0]).normalize();
      assertThat(source)
          .as("mount source of %s", service)
          .isEqualTo(root.resolve("flink-jobs/target").resolve(jobJar));
      String inContainer = parts[1];
      String command = String.join(" ", strings(s.get("command")));
      assertThat(command).as(service).contains(inContainer).contains("dev.igm.cli.IgmCli");
      for (String jar : jarNames(command)) {
        assertThat(jar).as("jar named in the %s command", service).isEqualTo(jobJar);
      }
    }
    String train = String.join(" ", strings(map(services.get("train")).get("command")));
    assertThat(train)
        .contains(
            "train --config",
            "--target remote",
            "--jobmanager jobmanager:8081",
            "kafka.bootstrap=kafka:9092");
  }

  @Test
  void composeFlinkPropertiesAreFlink2Keys() throws IOException {
    Map<String, Object> services =
        map(yaml(root.resolve("deploy/docker-compose.yml")).get("services"));
    for (String service : List.of("jobmanager", "taskmanager-1", "taskmanager-2")) {
      assertValidFlinkConfig(
          "docker-compose " + service, flinkProperties(map(services.get(service))));
    }
    // The CLI's --set flink.<key>=... overrides are Flink keys as well.
    String train = String.join(" ", strings(map(services.get("train")).get("command")));
    Matcher m = Pattern.compile("--set flink\\.([^=\\s]+)=").matcher(train);
    List<String> keys = new ArrayList<>();
    while (m.find()) {
      keys.add(m.group(1));
    }
    assertThat(keys).isNotEmpty();
    assertThat(keys).as("unknown Flink keys in the train command").allMatch(flinkKeys::contains);
  }

  @Test
  void composeExportsMetricsForPrometheusOnTheHostsLoopback() throws IOException {
    Map<String, Object> services =
        map(yaml(root.resolve("deploy/docker-compose.yml")).get("services"));
    List<String> targets = new ArrayList<>();
    for (String service : List.of("jobmanager", "taskmanager-1", "taskmanager-2")) {
      Map<String, String> conf = flinkProperties(map(services.get(service)));
      assertThat(conf.get("metrics.reporter.prom.factory.class"))
          .as(service)
          .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
      String port = conf.get("metrics.reporter.prom.port");
      assertThat(strings(map(services.get(service)).get("ports")))
          .as("%s publishes its metrics port on loopback", service)
          .anyMatch(p -> p.startsWith("127.0.0.1:") && p.endsWith(":" + port));
      targets.add(service + ":" + port);
    }
    String prometheus =
        Files.readString(root.resolve("deploy/monitoring/prometheus.yml"), StandardCharsets.UTF_8);
    for (String target : targets) {
      assertThat(prometheus)
          .as("deploy/monitoring/prometheus.yml scrapes %s", target)
          .contains("\"" + target + "\"");
    }
    for (String mounted :
        List.of(
            "./monitoring/prometheus.yml",
            "./monitoring/grafana/provisioning",
            "./monitoring/igm-on-flink-dashboard.json")) {
      assertThat(root.resolve("deploy").resolve(mounted))
          .as("mounted by the monitoring profile")
          .exists();
    }
  }

  @Test
  void grafanaDashboardQueriesTheProductsMetricsThroughItsDatasourceVariable() throws IOException {
    String json =
        Files.readString(
            root.resolve("deploy/monitoring/igm-on-flink-dashboard.json"), StandardCharsets.UTF_8);
    Map<String, Object> dashboard = new Yaml(new LoaderOptions()).load(json); // JSON is YAML
    List<String> exprs = new ArrayList<>();
    for (Object p : (List<?>) dashboard.get("panels")) {
      Object targets = map(p).get("targets");
      for (Object t : targets == null ? List.of() : (List<?>) targets) {
        exprs.add((String) map(t).get("expr"));
        assertThat(map(map(t).get("datasource")).get("uid")).isEqualTo("${datasource}");
      }
    }
    String all = String.join("\n", exprs);
    // what the issue asks to see; the names themselves are checked against a live scrape in
    // PrometheusMetricsIT
    assertThat(all)
        .contains(
            "samplesPerSecond",
            "_loss",
            "prequentialAccuracy_",
            "modelVersion",
            "tRefreshMillis",
            "kind_deadLetters",
            "igm_serving_latencyMillis");
  }

  // ------------------------------------------------------------------ kubernetes

  @Test
  void flinkDeploymentsUseTheJobJarVersionsAndFlink2Keys() throws IOException {
    for (String file : List.of("flink-training.yaml", "flink-serving.yaml")) {
      List<Map<String, Object>> docs = yamlAll(root.resolve("deploy/k8s").resolve(file));
      assertThat(docs).hasSize(1);
      Map<String, Object> d = docs.get(0);
      assertThat(d.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
      assertThat(d.get("kind")).isEqualTo("FlinkDeployment");
      Map<String, Object> spec = map(d.get("spec"));
      String[] v = flinkVersion.split("\\.");
      assertThat(spec.get("flinkVersion")).as(file).isEqualTo("v" + v[0] + "_" + v[1]);
      assertThat(tag((String) spec.get("image")))
          .as("%s image tag = project version", file)
          .isEqualTo(projectVersion);
      Map<String, Object> job = map(spec.get("job"));
      String jarUri = (String) job.get("jarURI");
      assertThat(jarUri).as(file).startsWith("local:///opt/flink/usrlib/").endsWith("/" + jobJar);
      assertThat(job.get("entryClass")).isEqualTo("dev.igm.cli.IgmCli");
      assertThat(job.get("upgradeMode")).isIn("last-state", "savepoint");
      Map<String, String> conf = new LinkedHashMap<>();
      map(spec.get("flinkConfiguration")).forEach((k, val) -> conf.put(k, String.valueOf(val)));
      assertValidFlinkConfig(file, conf);
      assertThat(conf.get("high-availability.type")).isEqualTo("kubernetes");
      assertThat(map(map(spec.get("taskManager")).get("resource"))).containsKeys("memory", "cpu");
      assertThat(map(map(spec.get("jobManager")).get("resource"))).containsKeys("memory", "cpu");
      // metrics: Flink's Prometheus reporter, its port declared on the main container and named in
      // the scrape annotations
      assertThat(conf.get("metrics.reporter.prom.factory.class"))
          .as(file)
          .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
      String port = conf.get("metrics.reporter.prom.port");
      Map<String, Object> podTemplate = map(spec.get("podTemplate"));
      Map<String, Object> annotations = map(map(podTemplate.get("metadata")).get("annotations"));
      assertThat(annotations)
          .as(file)
          .containsEntry("prometheus.io/scrape", "true")
          .containsEntry("prometheus.io/port", port);
      Map<String, Object> main =
          map(((List<?>) map(podTemplate.get("spec")).get("containers")).get(0));
      assertThat(main.get("name")).isEqualTo("flink-main-container");
      assertThat((List<?>) main.get("ports"))
          .as(file)
          .anyMatch(
              p ->
                  "metrics".equals(map(p).get("name"))
                      && port.equals(String.valueOf(map(p).get("containerPort"))));
    }
    Map<String, Object> podMonitor = yaml(root.resolve("deploy/k8s/monitoring/podmonitor.yaml"));
    assertThat(podMonitor.get("kind")).isEqualTo("PodMonitor");
    assertThat(String.valueOf(podMonitor.get("spec"))).contains("port=metrics");
    Map<String, Object> training = yamlAll(root.resolve("deploy/k8s/flink-training.yaml")).get(0);
    assertThat(strings(map(map(training.get("spec")).get("job")).get("args")))
        .startsWith("train", "--config");
  }

  @Test
  void jobImageDockerfileBuildsOnTheFlinkImageWithTheJobJar() throws IOException {
    List<String> lines =
        Files.readAllLines(root.resolve("deploy/k8s/Dockerfile"), StandardCharsets.UTF_8);
    List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
    assertThat(from).hasSize(1);
    assertThat(from.get(0)).isEqualTo("FROM flink:" + flinkVersion + "-java17");
    String copy =
        lines.stream()
            .filter(l -> l.startsWith("COPY "))
            .filter(l -> l.contains(".jar"))
            .findFirst()
            .orElseThrow();
    assertThat(copy)
        .contains(" flink-jobs/target/" + jobJar + " ")
        .endsWith("/opt/flink/usrlib/" + jobJar);
  }

  @Test
  void kafkaManifestsUseThePomsKafkaVersion() throws IOException {
    List<String> images = new ArrayList<>();
    for (Map<String, Object> d : yamlAll(root.resolve("deploy/k8s/kafka.yaml"))) {
      collectImages(d, images);
    }
    assertThat(images).isNotEmpty().allMatch(i -> i.equals("apache/kafka:" + kafkaVersion));
    Map<String, Object> kustomization = yaml(root.resolve("deploy/k8s/kustomization.yaml"));
    for (Object resource : (List<?>) kustomization.get("resources")) {
      assertThat(root.resolve("deploy/k8s").resolve(resource.toString()))
          .as("kustomization resource")
          .isRegularFile();
    }
  }

  // ------------------------------------------------------------------ the local cluster

  @Test
  void localClusterScriptWritesOnlyFlink2Keys() throws IOException {
    String script =
        Files.readString(root.resolve("deploy/local/flink-cluster.sh"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(?m)^\\s*set_key ([a-z0-9.\\-]+) (\\S+)").matcher(script);
    Map<String, String> conf = new LinkedHashMap<>();
    while (m.find()) {
      conf.put(m.group(1), m.group(2).replace("\"", ""));
    }
    assertThat(conf).hasSizeGreaterThan(20);
    assertValidFlinkConfig("flink-cluster.sh", conf);
    // the local cluster's metrics endpoints listen on loopback: the product's reporter, which binds
    // where it is told
    assertThat(conf)
        .containsEntry(
            "metrics.reporter.prom.factory.class", "dev.igm.metrics.BoundPrometheusReporterFactory")
        .containsEntry("metrics.reporter.prom.bind-address", "$HOST");
    assertThat(script).contains("HOST=127.0.0.1");
    assertThat(script)
        .contains(
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
    // The resource-id and io.tmp.dirs overrides per TaskManager are Flink keys too.
    Matcher d = Pattern.compile("-D \"([a-z0-9.\\-]+)=").matcher(script);
    while (d.find()) {
      assertThat(flinkKeys).as("-D %s", d.group(1)).contains(d.group(1));
    }
  }

  @Test
  void optionScanKnowsTheFlink2NamesAndNotTheOldOnes() {
    assertThat(flinkKeys)
        .contains(
            "state.backend.type",
            "execution.checkpointing.dir",
            "execution.checkpointing.incremental",
            "execution.state-recovery.path",
            "restart-strategy.type",
            "state.backend.rocksdb.localdir",
            "rest.port",
            "taskmanager.numberOfTaskSlots");
    assertThat(flinkKeys)
        .doesNotContain(
            "state.backend",
            "state.checkpoints.dir",
            "state.backend.incremental",
            "execution.savepoint.path",
            "restart-strategy");
  }

  // ------------------------------------------------------------------ helpers

  /** The {@code FLINK_PROPERTIES} of a Compose service, as key/value pairs. */
  private static Map<String, String> flinkProperties(Map<String, Object> service) {
    String properties = (String) map(service.get("environment")).get("FLINK_PROPERTIES");
    Map<String, String> conf = new LinkedHashMap<>();
    for (String line : properties.split("\n")) {
      if (line.isBlank() || line.trim().startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      conf.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
    }
    return conf;
  }

  /**
   * The settings of a metrics reporter ({@code metrics.reporter.<name>.<setting>}) the deployment
   * files use.
   */
  private static final Pattern REPORTER_KEY =
      Pattern.compile(
          "metrics\\.reporter\\.[A-Za-z0-9_-]+\\.(factory\\.class|port|bind-address|interval|filterLabelValueCharacters)");

  private static void assertValidFlinkConfig(String where, Map<String, String> conf) {
    Set<String> unknown = new TreeSet<>(conf.keySet());
    unknown.removeAll(flinkKeys);
    unknown.removeIf(k -> REPORTER_KEY.matcher(k).matches());
    conf.forEach(
        (k, v) -> {
          if (k.endsWith(".factory.class") && k.startsWith("metrics.reporter.")) {
            assertThat(v)
                .as("%s: %s names a reporter factory on the classpath", where, k)
                .satisfies(
                    name -> {
                      try {
                        Class.forName(name, false, DeploymentManifestsTest.class.getClassLoader());
                      } catch (ClassNotFoundException e) {
                        throw new AssertionError(name + " is not a class", e);
                      }
                    });
          }
        });
    assertThat(unknown)
        .as("keys in %s that Flink %s does not define", where, flinkVersion)
        .isEmpty();
    assertThat(conf.get("state.backend.type")).as("%s: state backend", where).isEqualTo("rocksdb");
    assertThat(conf.get("execution.checkpointing.incremental"))
        .as("%s: incremental checkpoints", where)
        .isEqualTo("true");
    assertThat(conf.get("execution.checkpointing.dir"))
        .as("%s: checkpoint dir", where)
        .matches("(file|s3|hdfs)://.+");
    assertThat(conf.get("restart-strategy.type"))
        .as("%s: restart strategy", where)
        .isIn("fixed-delay", "exponential-delay", "failure-rate");
  }

  /**
   * Every key of a public static {@link ConfigOption} in flink-core's {@code
   * org.apache.flink.configuration.*Options} classes and in the RocksDB state backend's options.
   */
  private static Set<String> flinkConfigKeys() throws IOException, URISyntaxException {
    Set<String> keys = new TreeSet<>();
    Path coreJar =
        Path.of(
            CheckpointingOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> classes = new ArrayList<>();
    try (JarFile jar = new JarFile(coreJar.toFile())) {
      jar.stream()
          .map(e -> e.getName())
          .filter(n -> n.matches("org/apache/flink/configuration/[A-Za-z]+Options\\.class"))
          .forEach(n -> classes.add(n.substring(0, n.length() - 6).replace('/', '.')));
    }
    assertThat(classes).hasSizeGreaterThan(20);
    classes.add(RocksDBOptions.class.getName());
    classes.add("org.apache.flink.state.rocksdb.RocksDBConfigurableOptions");
    for (String name : classes) {
      Class<?> c;
      try {
        c = Class.forName(name, false, DeploymentManifestsTest.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        continue;
      }
      for (Field f : c.getFields()) {
        if (Modifier.isStatic(f.getModifiers())
            && ConfigOption.class.isAssignableFrom(f.getType())) {
          try {
            keys.add(((ConfigOption<?>) f.get(null)).key());
          } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
    return keys;
  }

  /**
   * The file name of the shaded job jar: from the maven-shade-plugin configuration in
   * flink-jobs/pom.xml ({@code outputFile}, {@code finalName}, or the {@code
   * shadedClassifierName}), else the name the product's sources ship to a remote cluster ({@code
   * flink-jobs/target/<name>.jar} in flink-jobs/src/main).
   */
  private static String jobJarName() throws Exception {
    Document pom = xml(root.resolve("flink-jobs/pom.xml"));
    String artifactId = child(pom.getDocumentElement(), "artifactId").getTextContent().trim();
    NodeList plugins = pom.getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      Element id = child(plugin, "artifactId");
      if (id == null || !"maven-shade-plugin".equals(id.getTextContent().trim())) {
        continue;
      }
      String outputFile = firstText(plugin, "outputFile");
      if (outputFile != null) {
        return outputFile.substring(outputFile.lastIndexOf('/') + 1);
      }
      String finalName = firstText(plugin, "finalName");
      if (finalName != null) {
        return finalName
                .replace("${project.artifactId}", artifactId)
                .replace("${project.version}", projectVersion)
            + ".jar";
      }
      String classifier = firstText(plugin, "shadedClassifierName");
      if (classifier != null && "true".equals(firstText(plugin, "shadedArtifactAttached"))) {
        return artifactId + "-" + projectVersion + "-" + classifier + ".jar";
      }
    }
    Pattern named =
        Pattern.compile(
            "flink-jobs/target/(" + Pattern.quote(artifactId) + "[A-Za-z0-9.\\-]*\\.jar)");
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root.resolve("flink-jobs/src/main"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = named.matcher(Files.readString(f, StandardCharsets.UTF_8));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    assertThat(names).as("job jar names in flink-jobs/src/main").hasSizeLessThanOrEqualTo(1);
    // Before the shade configuration exists: the name deploy/ documents (and TrainJobConfig ships).
    return names.isEmpty() ? artifactId + "-job.jar" : names.iterator().next();
  }

  private static List<String> jarNames(String text) {
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("([A-Za-z0-9_.\\-]+\\.jar)(?![A-Za-z0-9])").matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static void collectImages(Object node, List<String> out) {
    if (node instanceof Map<?, ?> m) {
      m.forEach(
          (k, v) -> {
            if ("image".equals(k) && v instanceof String s) {
              out.add(s);
            } else {
              collectImages(v, out);
            }
          });
    } else if (node instanceof List<?> l) {
      l.forEach(x -> collectImages(x, out));
    }
  }

  private static String tag(String image) {
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    assertThat(colon).as("image %s has a tag", image).isGreaterThan(slash);
    return image.substring(colon + 1);
  }

  private static List<String> strings(Object o) {
    if (o instanceof List<?> l) {
      return l.stream().map(String::valueOf).toList();
    }
    return List.of(String.valueOf(o));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  private static Map<String, Object> yaml(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new Yaml(new LoaderOptions()).load(in);
    }
  }

  private static List<Map<String, Object>> yamlAll(Path file) throws IOException {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (Object d : new Yaml(new LoaderOptions()).loadAll(in)) {
        if (d != null) {
          docs.add(map(d));
        }
      }
    }
    return docs;
  }

  private static Document xml(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(false);
    return f.newDocumentBuilder().parse(file.toFile());
  }

  private static String property(Document pom, String name) {
    NodeList nodes = pom.getElementsByTagName(name);
    assertThat(nodes.getLength())
        .as("property %s in the parent pom", name)
        .isGreaterThanOrEqualTo(1);
    return nodes.item(0).getTextContent().trim();
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static String firstText(Element parent, String tag) {
    NodeList nodes = parent.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
  }
}
