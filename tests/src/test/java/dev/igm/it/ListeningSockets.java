package dev.igm.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The sockets a process listens on, read from Linux's {@code /proc}: the socket inodes among the
 * process's open file descriptors, matched against its network namespace's tables ({@code
 * /proc/<pid>/net/tcp}, {@code tcp6}: state {@code 0A} = LISTEN; {@code udp}, {@code udp6}: every
 * bound socket). What {@code ss -ltnup} shows, without a tool.
 */
final class ListeningSockets {
  private static final String TCP_LISTEN = "0A";

  private ListeningSockets() {}

  /** A listening socket: protocol ("tcp", "udp6", ...) and local address. */
  record Listener(String protocol, InetSocketAddress address) {
    boolean loopback() {
      return address.getAddress().isLoopbackAddress();
    }

    @Override
    public String toString() {
      return protocol + " " + address.getAddress().getHostAddress() + ":" + address.getPort();
    }
  }

  static List<Listener> of(long pid) throws IOException {
    Set<String> inodes = socketInodes(pid);
    List<Listener> out = new ArrayList<>();
    for (String protocol : List.of("tcp", "tcp6", "udp", "udp6")) {
      Path table = Path.of("/proc", Long.toString(pid), "net", protocol);
      if (!Files.exists(table)) {
        continue;
      }
      List<String> lines = Files.readAllLines(table);
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        // ...
        if (f.length < 10 || !inodes.contains(f[9])) {
          continue;
        }
        if (protocol.startsWith("tcp") && !f[3].equals(TCP_LISTEN)) {
          continue;
        }
        out.add(new Listener(protocol, parse(f[1])));
      }
    }
    return out;
  }

  private static Set<String> socketInodes(long pid) throws IOException {
    Set<String> out = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
          continue; // closed meanwhile
        }
        if (target.startsWith("socket:[")) {
          out.add(target.substring("socket:[".length(), target.length() - 1));
        }
      }
    }
    return out;
  }

  /**
   * {@code 0100007F:1F90} (IPv4) or 32 hex digits (IPv6) : port; each 32-bit word in host
   * (little-endian) order.
   */
  static InetSocketAddress parse(String hex) throws UnknownHostException {
    String[] parts = hex.split(":");
    String a = parts[0];
    byte[] bytes = new byte[a.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int b = 0; b < 4; b++) {
        int at = word * 8 + (3 - b) * 2;
        bytes[word * 4 + b] = (byte) Integer.parseInt(a.substring(at, at + 2), 16);
      }
    }
    return new InetSocketAddress(InetAddress.getByAddress(bytes), Integer.parseInt(parts[1], 16));
  }
}
