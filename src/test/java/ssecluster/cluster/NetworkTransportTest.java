package ssecluster.cluster;

import io.vertx.core.transport.Transport;
import org.junit.jupiter.api.Test;
import ssecluster.config.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which transport a node gets for each setting, on this Linux machine with both native jars present. */
class NetworkTransportTest {

  @Test
  void ioUringIsTheDefaultAndEpollItsFallback() {
    assertEquals("io_uring", Settings.of().transport());
    assertTrue(Transport.EPOLL.available(), "the build ships epoll for Linux x86_64: " + Transport.EPOLL.unavailabilityCause());
    assertSame(Transport.EPOLL, NetworkTransport.pick("epoll"));
  }

  @Test
  void eachNameGivesThatTransportOrTheNextAvailableOne() {
    assertSame(Transport.NIO, NetworkTransport.pick("nio"));
    Transport ioUring = NetworkTransport.pick("io_uring");
    // A kernel or seccomp profile may refuse io_uring; then the node steps down to epoll, not to NIO.
    assertSame(Transport.IO_URING.available() ? Transport.IO_URING : Transport.EPOLL, ioUring);
  }

  @Test
  void anUnknownNameIsAClearError() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> NetworkTransport.pick("kqueue"));
    assertTrue(error.getMessage().contains("[io_uring, epoll, nio]"), error.getMessage());
  }
}
