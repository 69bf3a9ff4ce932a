package dev.igm.core.serve;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The model store a serving job loads snapshot files from. A {@code ModelSnapshot} record names its
 * file by URI, and anyone who can write to the models topic chooses that URI: the serving job reads
 * only files under this root, so a record cannot make it read (and report on) files elsewhere.
 *
 * <p>The check is on the URI as written, the same on every instance: scheme and authority must be
 * the root's, the path must lie below the root's path segment by segment ({@code /var/models-old}
 * is not under {@code /var/models}), and a path with {@code .} or {@code ..} segments, a backslash,
 * a query or a fragment is refused outright rather than normalised, since a file system that
 * follows symbolic links resolves {@code ..} differently from a lexical normalisation. A URI
 * without a scheme is a local path ({@code /x/y} = {@code file:/x/y}); a relative one is refused.
 * For local files the real path (symbolic links resolved) must lie under the real root too ({@link
 * #realPathRefusal}), so a link inside the store cannot point outside it. The file read is the URI
 * this check returns ({@link #resolve}), so what was checked is what is read.
 */
public final class ModelStoreRoot implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern HAS_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

  /** No confinement: any URI the file systems can read (only for callers that name no store). */
  public static final ModelStoreRoot ANYWHERE = new ModelStoreRoot(null);

  /** The root, absolute, normalised, path ending in '/'; null for {@link #ANYWHERE}. */
  private final URI root;

  private ModelStoreRoot(URI root) {
    this.root = root;
  }

  /**
   * The store at {@code location}: a URI with a scheme ({@code file:/srv/models}, {@code
   * s3://bucket/models}) or a local path, resolved against {@code base} when relative (as the
   * training job resolves {@code model.store}).
   */
  public static ModelStoreRoot of(String location, Path base) {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("the model store root is empty");
    }
    String text = location.trim();
    URI uri;
    if (HAS_SCHEME.matcher(text).matches()) {
      try {
        uri = new URI(text).normalize();
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(
            "model store root '" + location + "' is not a valid URI: " + e.getMessage());
      }
      if (uri.isOpaque() || uri.getPath() == null || !uri.getPath().startsWith("/")) {
        throw new IllegalArgumentException(
            "model store root '" + location + "' needs an absolute path, e.g. file:/srv/models");
      }
      if (uri.getPath().contains("/../") || uri.getPath().endsWith("/..")) {
        throw new IllegalArgumentException(
            "model store root '" + location + "' climbs above its file system's root");
      }
    } else {
      uri = base.resolve(text).toAbsolutePath().normalize().toUri();
    }
    String path = uri.getPath().endsWith("/") ? uri.getPath() : uri.getPath() + "/";
    try {
      uri = new URI(uri.getScheme().toLowerCase(Locale.ROOT), authority(uri), path, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("model store root '" + location + "': " + e.getMessage());
    }
    return new ModelStoreRoot(uri);
  }

  /** Whether this root confines anything ({@link #ANYWHERE} does not). */
  public boolean confines() {
    return root != null;
  }

  /** The root URI (path ending in '/'), or null for {@link #ANYWHERE}. */
  public URI uri() {
    return root;
  }

  /**
   * Why the file at {@code uri} may not be read, or empty when it lies under the root (always, for
   * {@link #ANYWHERE}).
   */
  public Optional<String> refusal(String uri) {
    if (root == null) {
      return Optional.empty();
    }
    try {
      resolve(uri);
      return Optional.empty();
    } catch (OutsideRootException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * The URI to read for {@code uri}: the same location with its scheme made explicit ({@code file:}
   * for a plain path).
   *
   * @throws OutsideRootException when it does not lie under the root
   * @throws IllegalStateException for {@link #ANYWHERE}, which has nothing to resolve against
   */
  public URI resolve(String uri) throws OutsideRootException {
    if (root == null) {
      throw new IllegalStateException("no model store root to resolve " + uri + " against");
    }
    if (uri == null || uri.isBlank()) {
      throw new OutsideRootException("the snapshot URI is empty");
    }
    if (uri.indexOf('\\') >= 0) {
      throw outside(uri, "it contains a backslash");
    }
    boolean plainPath = !HAS_SCHEME.matcher(uri).matches();
    if (plainPath && !uri.startsWith("/")) {
      throw outside(uri, "it has no absolute path");
    }
    URI u;
    try {
      u =
          plainPath
              ? new URI("file", null, uri, null, null)
              : new URI(uri); // a plain path is taken literally
    } catch (URISyntaxException e) {
      throw outside(uri, "it is not a valid URI (" + e.getMessage() + ")");
    }
    if (u.isOpaque() || u.getPath() == null || !u.getPath().startsWith("/")) {
      throw outside(uri, "it has no absolute path");
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      throw outside(uri, "it has a query or fragment");
    }
    String[] segments = u.getPath().split("/", -1);
    for (String s : segments) {
      if (s.equals(".") || s.equals("..")) {
        throw outside(uri, "its path has a '" + s + "' segment");
      }
    }
    if (!root.getScheme().equalsIgnoreCase(u.getScheme())
        || !authority(root).equals(authority(u))) {
      throw outside(
          uri,
          "it is not on the store's file system ("
              + root.getScheme()
              + "://"
              + authority(root)
              + ")");
    }
    String path = u.getPath().replaceAll("/+", "/");
    if (!path.startsWith(root.getPath()) || path.length() == root.getPath().length()) {
      throw outside(uri, "its path is not below " + root.getPath());
    }
    return u;
  }

  /**
   * For a local file that exists: why its real path (symbolic links resolved) is not under the
   * root's real path, or empty when it is, when the file does not exist (reading it will say so) or
   * when the store is not local.
   */
  public Optional<String> realPathRefusal(URI resolved) {
    if (root == null
        || !"file".equals(root.getScheme())
        || !"file".equalsIgnoreCase(resolved.getScheme())) {
      return Optional.empty();
    }
    Path file;
    Path rootDir;
    try {
      file = Path.of(new URI("file", null, resolved.getPath(), null, null));
      rootDir = Path.of(root);
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.of(
          "snapshot URI " + resolved + " is not a local file path: " + e.getMessage());
    }
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      Path real = file.toRealPath();
      Path realRoot = rootDir.toRealPath();
      if (!real.startsWith(realRoot) || real.equals(realRoot)) {
        return Optional.of(
            "snapshot URI "
                + resolved
                + " resolves to "
                + real
                + ", outside the model store root "
                + realRoot
                + " (a symbolic link)");
      }
      return Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.of("the model store root " + rootDir + " does not exist");
    } catch (IOException e) {
      return Optional.of("cannot resolve the real path of " + resolved + ": " + e);
    }
  }

  private OutsideRootException outside(String uri, String why) {
    return new OutsideRootException(
        "snapshot URI '" + uri + "' is outside the model store root " + root + " (" + why + ")");
  }

  /**
   * The authority, with a local file URI's empty and {@code localhost} authorities taken as the
   * same.
   */
  private static String authority(URI u) {
    String a = u.getRawAuthority() == null ? "" : u.getRawAuthority().toLowerCase(Locale.ROOT);
    return "file".equalsIgnoreCase(u.getScheme()) && a.equals("localhost") ? "" : a;
  }

  @Override
  public String toString() {
    return root == null ? "anywhere" : root.toString();
  }

  /** A snapshot URI that does not lie under the store's root. */
  public static final class OutsideRootException extends Exception {
    private static final long serialVersionUID = 1L;

    OutsideRootException(String message) {
      super(message);
    }
  }
}
