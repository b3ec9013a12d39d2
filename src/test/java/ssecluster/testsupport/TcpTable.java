package ssecluster.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The kernel's table of TCP sockets (Linux /proc/net/tcp and tcp6), for tests on loopback. */
public final class TcpTable {

  public static final String ESTABLISHED = "01";
  public static final String FIN_WAIT_1 = "04";
  public static final String GONE = "gone";

  private TcpTable() {
  }

  /**
   * The state of the server's end of a loopback connection as the kernel lists it ({@link #ESTABLISHED},
   * {@link #FIN_WAIT_1}, ...), or {@link #GONE}. A server listening on IPv6 lists its IPv4 connections in tcp6.
   */
  public static String serverSideState(int serverPort, int clientPort) {
    try {
      String local = String.format(":%04X", serverPort);
      String remote = String.format(":%04X", clientPort);
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] fields = line.trim().split("\\s+");
          if (fields.length > 3 && fields[1].endsWith(local) && fields[2].endsWith(remote)) {
            return fields[3];
          }
        }
      }
      return GONE;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
