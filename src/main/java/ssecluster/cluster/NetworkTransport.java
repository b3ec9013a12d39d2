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
 * <p>epoll is the default. io_uring queues an event loop's many small writes and submits them in one system
 * call, and delivered about 40% more events per CPU-second in the benchmark (BENCHMARKS.md), but the Netty
 * that Vert.x 5.0.10 brings (4.2.12) has known io_uring write-path defects: memory released while the kernel
 * may still read it when a connection shuts down with writes in flight (fixed later, netty#17238), and a
 * failing internal assertion when several writes share a submission. So it is an option for now.
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
