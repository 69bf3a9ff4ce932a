package dev.igm.core.serve;

import dev.igm.avro.ModelSnapshot;
import dev.igm.core.train.TrainerSnapshot;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/** Fetches a published version's file from the model store, checks it against the published SHA-256 and loads it. */
public final class SnapshotLoader {
  private final SnapshotStore store;

  public SnapshotLoader(SnapshotStore store) {
    this.store = store;
  }

  public ServingModel load(ModelSnapshot snapshot) throws UnusableSnapshotException {
    String uri = snapshot.getUri();
    byte[] bytes;
    try {
      bytes = store.read(uri);
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw new UnusableSnapshotException("snapshot file not found: " + uri, e);
    } catch (IOException | RuntimeException e) {
      throw new UnusableSnapshotException("snapshot file unreadable: " + uri + ": " + e, e);
    }
    String actual = TrainerSnapshot.sha256(bytes);
    if (!actual.equalsIgnoreCase(snapshot.getSha256())) {
      throw new UnusableSnapshotException(
          "checksum mismatch for " + uri + ": published sha256 " + snapshot.getSha256() + ", file (" + bytes.length
              + " bytes) has " + actual);
    }
    return ServingModel.load(snapshot, bytes);
  }
}
