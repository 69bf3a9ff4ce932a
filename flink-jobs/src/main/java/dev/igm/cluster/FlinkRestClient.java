package dev.igm.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Job submission and monitoring through a Flink session cluster's REST API (Flink 2.2), the way the
 * product submits a job jar to a running cluster without the {@code flink} command line:
 *
 * <ol>
 *   <li>{@code POST /jars/upload} (multipart, part {@code jarfile}) — the jar lands in the
 *       JobManager's {@code web.upload.dir} and gets an id ({@code <uuid>_<name>.jar});
 *   <li>{@code POST /jars/:jarid/run} with {@code {"entryClass", "programArgsList", "parallelism",
 *       "flinkConfiguration", "savepointPath"}} — the JobManager runs the jar's {@code main()} and
 *       returns the job id.
 * </ol>
 *
 * <p>Monitoring: {@code /overview}, {@code /taskmanagers}, {@code /jobs/:id}, {@code
 * /jobs/:id/checkpoints}, {@code /jobs/:id/vertices/:vid/taskmanagers}; cancel with {@code PATCH
 * /jobs/:id?mode=cancel}. The handlers for {@code /jars} come with {@code flink-runtime-web} on the
 * JobManager's classpath ({@code web.submit.enable}).
 */
public final class FlinkRestClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

  private final URI base;
  private final HttpClient http;
  private final Duration requestTimeout;

  /**
   * @param restUrl e.g. {@code http://127.0.0.1:8081}
   */
  public FlinkRestClient(String restUrl) {
    this(restUrl, Duration.ofSeconds(60));
  }

  public FlinkRestClient(String restUrl, Duration requestTimeout) {
    this.base =
        URI.create(restUrl.endsWith("/") ? restUrl.substring(0, restUrl.length() - 1) : restUrl);
    this.requestTimeout = requestTimeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  public String restUrl() {
    return base.toString();
  }

  /**
   * {@code GET /overview}: taskmanagers, slots-total, slots-available, jobs-running, flink-version,
   * ...
   */
  public JsonNode overview() throws IOException {
    return get("/overview");
  }

  /**
   * {@code GET /taskmanagers}: {@code {"taskmanagers": [{"id", "slotsNumber", "freeSlots", ...}]}}.
   */
  public JsonNode taskManagers() throws IOException {
    return get("/taskmanagers");
  }

  /** Uploads a job jar ({@code POST /jars/upload}) and returns its jar id. */
  public String uploadJar(Path jar) throws IOException {
    String boundary = "----igm-" + UUID.randomUUID();
    ByteArrayOutputStream body =
        new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 1024, Files.size(jar) + 1024));
    String head =
        "--"
            + boundary
            + "\r\n"
            + "Content-Disposition: form-data; name=\"jarfile\"; filename=\""
            + jar.getFileName()
            + "\"\r\n"
            + "Content-Type: application/x-java-archive\r\n\r\n";
    body.write(head.getBytes(StandardCharsets.UTF_8));
    try (InputStream in = Files.newInputStream(jar)) {
      in.transferTo(body);
    }
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/jars/upload"))
            .timeout(requestTimeout.plusMinutes(5))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
            .build();
    JsonNode response = send(request);
    String filename = response.path("filename").asText("");
    if (!"success".equals(response.path("status").asText()) || filename.isEmpty()) {
      throw new IOException("upload of " + jar + " failed: " + response);
    }
    return filename.substring(filename.lastIndexOf('/') + 1);
  }

  /**
   * Runs an uploaded jar ({@code POST /jars/:jarid/run}) and returns the job id.
   *
   * @param entryClass main class, or null for the jar manifest's Main-Class
   * @param parallelism default parallelism, or null for the cluster's {@code parallelism.default}
   * @param flinkConfiguration job configuration on top of the cluster's (may be empty)
   */
  public String runJar(
      String jarId,
      String entryClass,
      List<String> args,
      Integer parallelism,
      Map<String, String> flinkConfiguration)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    if (entryClass != null) {
      body.put("entryClass", entryClass);
    }
    ArrayNode list = body.putArray("programArgsList");
    args.forEach(list::add);
    if (parallelism != null) {
      body.put("parallelism", parallelism);
    }
    if (flinkConfiguration != null && !flinkConfiguration.isEmpty()) {
      ObjectNode conf = body.putObject("flinkConfiguration");
      flinkConfiguration.forEach(conf::put);
    }
    JsonNode response = post("/jars/" + encode(jarId) + "/run", body);
    String jobId = response.path("jobid").asText("");
    if (jobId.isEmpty()) {
      throw new IOException("run of " + jarId + " returned no job id: " + response);
    }
    return jobId;
  }

  /** Upload + run. */
  public String submit(Path jar, String entryClass, List<String> args, Integer parallelism)
      throws IOException {
    return runJar(uploadJar(jar), entryClass, args, parallelism, Map.of());
  }

  /** {@code DELETE /jars/:jarid}. */
  public void deleteJar(String jarId) throws IOException {
    send(
        HttpRequest.newBuilder(base.resolve("/jars/" + encode(jarId)))
            .timeout(requestTimeout)
            .DELETE()
            .build());
  }

  /** {@code GET /jobs/:jobid}: state, vertices, timestamps. */
  public JsonNode job(String jobId) throws IOException {
    return get("/jobs/" + jobId);
  }

  public String jobState(String jobId) throws IOException {
    return job(jobId).path("state").asText();
  }

  /**
   * {@code GET /jobs/:jobid/checkpoints}: counts (completed, restored, failed) and latest
   * (completed, restored).
   */
  public JsonNode checkpoints(String jobId) throws IOException {
    return get("/jobs/" + jobId + "/checkpoints");
  }

  /** The resource ids of the TaskManagers that run at least one subtask of the job. */
  public List<String> taskManagersOf(String jobId) throws IOException {
    List<String> ids = new ArrayList<>();
    for (JsonNode vertex : job(jobId).path("vertices")) {
      JsonNode tms =
          get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/taskmanagers");
      for (JsonNode tm : tms.path("taskmanagers")) {
        String id = tm.path("taskmanager-id").asText("");
        if (!id.isEmpty() && !ids.contains(id)) {
          ids.add(id);
        }
      }
    }
    return ids;
  }

  /** {@code PATCH /jobs/:jobid?mode=cancel}. */
  public void cancel(String jobId) throws IOException {
    send(
        HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
            .timeout(requestTimeout)
            .method("PATCH", HttpRequest.BodyPublishers.noBody())
            .build());
  }

  /**
   * Polls the job until it reaches one of {@code states} (or any terminal state) and returns the
   * state reached.
   *
   * @throws IOException on timeout
   */
  public String awaitState(String jobId, Duration timeout, String... states)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String state = "";
    while (System.nanoTime() < deadline) {
      state = jobState(jobId);
      for (String s : states) {
        if (s.equals(state)) {
          return state;
        }
      }
      if (TERMINAL.contains(state)) {
        return state;
      }
      Thread.sleep(250);
    }
    throw new IOException(
        "job "
            + jobId
            + " did not reach "
            + String.join("|", states)
            + " within "
            + timeout
            + " (last state "
            + state
            + ")");
  }

  public JsonNode get(String path) throws IOException {
    return send(HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout).GET().build());
  }

  public JsonNode post(String path, JsonNode body) throws IOException {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build());
  }

  private JsonNode send(HttpRequest request) throws IOException {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + request.method() + " " + request.uri(), e);
    }
    String text = response.body();
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          request.method()
              + " "
              + request.uri()
              + " -> HTTP "
              + response.statusCode()
              + ": "
              + text);
    }
    return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
