package ssecluster.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.transport.Transport;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import ssecluster.config.Settings;
import ssecluster.history.hazelcast.HistorySerialization;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds a clustered Vert.x from the Hazelcast file named by the settings ({@code cluster.xml} by
 * default). The file is loaded explicitly: vertx-hazelcast would silently fall back to multicast if a
 * named file were missing, and a node that quietly forms its own one-node cluster is the worst outcome.
 */
public final class ClusterFactory {

  private ClusterFactory() {
  }

  /** A clustered Vert.x, the manager that knows the members, and the network transport in use. */
  public record ClusteredVertx(Vertx vertx, HazelcastClusterManager clusterManager, String transport) {
  }

  public static Future<ClusteredVertx> join(Settings settings, boolean liteMember) {
    Config config;
    Transport transport;
    try {
      config = load(settings.clusterConfig());
      transport = NetworkTransport.pick(settings.transport());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    config.setLiteMember(liteMember);
    // We leave the cluster ourselves on shutdown (through Vert.x), after ending our SSE streams.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    HistorySerialization.configure(config);

    HazelcastClusterManager clusterManager = new HazelcastClusterManager(config);
    EventBusOptions eventBus = new EventBusOptions();
    if (!settings.clusterHost().isEmpty()) {
      eventBus.setHost(settings.clusterHost());
    }
    return Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(eventBus))
        .withTransport(transport)
        .withClusterManager(clusterManager)
        .buildClustered()
        .map(vertx -> new ClusteredVertx(vertx, clusterManager, transport.name()));
  }

  private static Config load(String file) throws FileNotFoundException {
    Path path = Path.of(file);
    if (!Files.isRegularFile(path)) {
      throw new FileNotFoundException("Hazelcast configuration " + path.toAbsolutePath()
          + " not found; pass --cluster-config FILE or set SSE_CLUSTER_CONFIG");
    }
    return new FileSystemXmlConfig(path.toFile());
  }
}
