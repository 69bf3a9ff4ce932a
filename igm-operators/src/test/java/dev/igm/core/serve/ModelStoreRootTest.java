package dev.igm.core.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreRootTest {
  private final ModelStoreRoot root = ModelStoreRoot.of("file:/srv/models", Path.of("/ignored"));

  @Test
  void acceptsFilesBelowTheRootWrittenAsTheStoreWritesThem() throws Exception {
    assertThat(root.uri()).isEqualTo(URI.create("file:///srv/models/"));
    for (String uri :
        new String[] {
          "file:/srv/models/igm/v00000001.safetensors",
          "file:///srv/models/igm/v1.safetensors",
          "file://localhost/srv/models/igm/v1.safetensors",
          "FILE:/srv/models/igm/v1.safetensors",
          "/srv/models/igm/v1.safetensors",
          "file:/srv/models//igm/v1.safetensors",
          "file:/srv/models/a%20b/v1.safetensors"
        }) {
      assertThat(root.refusal(uri)).as(uri).isEmpty();
    }
    assertThat(root.resolve("/srv/models/igm/v1.safetensors"))
        .isEqualTo(URI.create("file:/srv/models/igm/v1.safetensors"));
    assertThat(root.resolve("file:/srv/models/a%20b/v1.safetensors").getPath())
        .isEqualTo("/srv/models/a b/v1.safetensors");
  }

  @Test
  void refusesDotDotSegmentsEvenWhenTheyWouldStayInside() {
    for (String uri :
        new String[] {
          "file:/srv/models/../etc/passwd",
          "file:/srv/models/igm/../../etc/passwd",
          "/srv/models/../models/igm/v1.safetensors",
          "file:/srv/models/%2e%2e/etc/passwd",
          "file:/srv/models/./igm/v1.safetensors"
        }) {
      assertThat(root.refusal(uri))
          .as(uri)
          .hasValueSatisfying(
              r ->
                  assertThat(r)
                      .contains("outside the model store root")
                      .containsPattern("'\\.\\.?' segment"));
    }
  }

  @Test
  void refusesOtherSchemesHostsAndPathsOutsideTheRoot() {
    assertThat(root.refusal("http://example.com/srv/models/igm/v1.safetensors"))
        .hasValueSatisfying(r -> assertThat(r).contains("not on the store's file system"));
    assertThat(root.refusal("s3://bucket/srv/models/v1.safetensors"))
        .hasValueSatisfying(r -> assertThat(r).contains("not on the store's file system"));
    assertThat(root.refusal("file://otherhost/srv/models/igm/v1.safetensors"))
        .hasValueSatisfying(r -> assertThat(r).contains("not on the store's file system"));
    assertThat(root.refusal("/etc/passwd"))
        .hasValueSatisfying(r -> assertThat(r).contains("not below /srv/models/"));
    assertThat(root.refusal("file:/srv/models-old/igm/v1.safetensors"))
        .hasValueSatisfying(r -> assertThat(r).contains("not below"));
    assertThat(root.refusal("file:/srv/models/"))
        .as("the root itself")
        .hasValueSatisfying(r -> assertThat(r).contains("not below"));
    assertThat(root.refusal("file:/srv/models/a\\..\\..\\etc"))
        .hasValueSatisfying(r -> assertThat(r).contains("backslash"));
    assertThat(root.refusal("models/igm/v1.safetensors"))
        .hasValueSatisfying(r -> assertThat(r).contains("no absolute path"));
    assertThat(root.refusal("file:/srv/models/igm/v1.safetensors?x=1"))
        .hasValueSatisfying(r -> assertThat(r).contains("query or fragment"));
    assertThat(root.refusal("file:/srv/models/ igm"))
        .hasValueSatisfying(r -> assertThat(r).contains("not a valid URI"));
    assertThat(root.refusal("")).hasValueSatisfying(r -> assertThat(r).contains("empty"));
  }

  @Test
  void otherFileSystemsCompareSchemeAndAuthority() {
    ModelStoreRoot s3 = ModelStoreRoot.of("s3://Bucket/models/", Path.of("/"));
    assertThat(s3.refusal("s3://bucket/models/igm/v1.safetensors")).isEmpty();
    assertThat(s3.refusal("s3://other/models/igm/v1.safetensors")).isPresent();
    assertThat(s3.refusal("file:/models/igm/v1.safetensors")).isPresent();
    assertThat(s3.realPathRefusal(URI.create("s3://bucket/models/igm/v1.safetensors"))).isEmpty();
  }

  @Test
  void aRelativeRootResolvesAgainstTheBaseAsTheTrainingJobsStoreDoes() {
    ModelStoreRoot r = ModelStoreRoot.of("var/models", Path.of("/work/project"));
    assertThat(r.uri()).isEqualTo(URI.create("file:///work/project/var/models/"));
    assertThat(r.refusal(Path.of("/work/project/var/models/igm/v1.safetensors").toUri().toString()))
        .isEmpty();
    assertThat(ModelStoreRoot.of("../models", Path.of("/work/project")).uri())
        .isEqualTo(URI.create("file:///work/models/"));
    assertThatThrownBy(() -> ModelStoreRoot.of(" ", Path.of("/"))).hasMessageContaining("empty");
    assertThatThrownBy(() -> ModelStoreRoot.of("file:models", Path.of("/")))
        .hasMessageContaining("absolute path");
  }

  @Test
  void aSymbolicLinkOutOfTheStoreIsRefusedByItsRealPath(@TempDir Path dir) throws Exception {
    Path store = Files.createDirectories(dir.resolve("store/igm"));
    Path outside = Files.writeString(dir.resolve("secret.txt"), "x");
    Path inside = Files.writeString(store.resolve("v1.safetensors"), "y");
    Files.createSymbolicLink(store.resolve("v2.safetensors"), outside);
    Files.createSymbolicLink(dir.resolve("store/linked"), dir);
    ModelStoreRoot r = ModelStoreRoot.of(dir.resolve("store").toString(), Path.of("/"));

    assertThat(r.realPathRefusal(r.resolve(inside.toUri().toString()))).isEmpty();
    assertThat(r.realPathRefusal(r.resolve(store.resolve("v2.safetensors").toUri().toString())))
        .hasValueSatisfying(
            m -> assertThat(m).contains("outside the model store root").contains("symbolic link"));
    assertThat(r.realPathRefusal(r.resolve(dir.resolve("store/linked/secret.txt").toString())))
        .hasValueSatisfying(m -> assertThat(m).contains("symbolic link"));
    assertThat(r.realPathRefusal(r.resolve(store.resolve("absent.safetensors").toString())))
        .as("reading it will say it is missing")
        .isEmpty();
  }

  @Test
  void anywhereConfinesNothing() {
    assertThat(ModelStoreRoot.ANYWHERE.confines()).isFalse();
    assertThat(ModelStoreRoot.ANYWHERE.refusal("http://x/../y")).isEmpty();
  }
}
