package ssecluster.cluster;

import io.vertx.core.transport.Transport;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Picks Netty's transport for a Vert.x instance, in the order io_uring, epoll, Java NIO, starting at the one
 * asked for. Each step down (a kernel or a container's seccomp profile that refuses io_uring, a machine
 * that is not Linux) is logged with its reason, so an operator knows which one runs.
 *
 * <p>io_uring is the default: it queues an event loop's many small writes and submits them in one system
 * call, and delivered about 45% more events per CPU-second than epoll in the benchmark (BENCHMARKS.md).
 * It needs Netty 4.2.18 or later (pom.xml): older 4.2 releases could release write memory that the kernel
 * was still reading (netty#17238) and lost event-bus frames when several writes shared a submission.
 */
public final class NetworkTransport {

  private static final Logger log = Logger.getLogger(NetworkTransport.class.getName());
  public static final List<String> NAMES = List.of("io_uring", "epoll", "nio");

  private NetworkTransport() {
  }

  /** The first available transport, starting at {@code preferred} (one of {@link #NAMES}). */
  public static Transport pick(String preferred) {
    int start = NAMES.indexOf(preferred);
    if (start < 0) {
      throw new IllegalArgumentException("transport must be one of " + NAMES + ", not '" + preferred + "'");
    }
    List<String> refused = new ArrayList<>();
    for (String name : NAMES.subList(start, NAMES.size())) {
      Transport transport = byName(name);
      if (transport != null && transport.available()) {
        if (!refused.isEmpty()) {
          log.warning("Network transport " + preferred + " is not available here (" + String.join("; ", refused)
              + "); using " + name);
        }
        return transport;
      }
      refused.add(name + ": " + (transport == null ? "not on the class path" : transport.unavailabilityCause()));
    }
    return Transport.NIO;
  }

  private static Transport byName(String name) {
    return switch (name) {
      case "io_uring" -> Transport.IO_URING;
      case "epoll" -> Transport.EPOLL;
      default -> Transport.NIO;
    };
  }
}
