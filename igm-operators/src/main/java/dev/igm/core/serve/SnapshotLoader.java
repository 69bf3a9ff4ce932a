package dev.igm.core.serve;

import dev.igm.avro.ModelSnapshot;
import dev.igm.core.train.TrainerSnapshot;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

/**
 * Fetches a published version's file from the model store, checks that it lies under the store's
 * root and matches the published SHA-256, and loads it.
 */
public final class SnapshotLoader {
  private final SnapshotStore store;
  private final ModelStoreRoot root;

  /** A loader that reads any URI {@code store} can read. */
  public SnapshotLoader(SnapshotStore store) {
    this(store, ModelStoreRoot.ANYWHERE);
  }

  /** A loader that reads only files under {@code root}. */
  public SnapshotLoader(SnapshotStore store, ModelStoreRoot root) {
    this.store = store;
    this.root = root;
  }

  public ServingModel load(ModelSnapshot snapshot) throws UnusableSnapshotException {
    String uri = snapshot.getUri();
    String read = uri;
    if (root.confines()) {
      URI resolved;
      try {
        resolved = root.resolve(uri);
      } catch (ModelStoreRoot.OutsideRootException e) {
        throw new UnusableSnapshotException(e.getMessage(), e);
      }
      Optional<String> real = root.realPathRefusal(resolved);
      if (real.isPresent()) {
        throw new UnusableSnapshotException(real.get());
      }
      read = resolved.toString();
    }
    byte[] bytes;
    try {
      bytes = store.read(read);
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw new UnusableSnapshotException("snapshot file not found: " + uri, e);
    } catch (IOException | RuntimeException e) {
      throw new UnusableSnapshotException("snapshot file unreadable: " + uri + ": " + e, e);
    }
    String actual = TrainerSnapshot.sha256(bytes);
    if (!actual.equalsIgnoreCase(snapshot.getSha256())) {
      throw new UnusableSnapshotException(
          "checksum mismatch for "
              + uri
              + ": published sha256 "
              + snapshot.getSha256()
              + ", file ("
              + bytes.length
              + " bytes) has "
              + actual);
    }
    return ServingModel.load(snapshot, bytes);
  }
}
