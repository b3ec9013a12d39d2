package ssecluster;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import ssecluster.admin.ClusterStatus;
import ssecluster.admin.LocalStatus;
import ssecluster.bus.MessageIds;
import ssecluster.bus.Publisher;
import ssecluster.bus.UnwatchedAddresses;
import ssecluster.cluster.ClusterFactory;
import ssecluster.cluster.ExpectedDepartures;
import ssecluster.cluster.IslandGuard;
import ssecluster.config.Settings;
import ssecluster.demo.DemoFeedVerticle;
import ssecluster.fanout.FanoutHub;
import ssecluster.history.HistoryStore;
import ssecluster.history.NoHistory;
import ssecluster.history.hazelcast.HazelcastHistory;
import ssecluster.http.HttpServerVerticle;
import ssecluster.http.StaticAssets;
import ssecluster.ingest.EventBusIngest;
import ssecluster.ingest.postgres.PostgresIngestVerticle;
import ssecluster.ingest.redis.PubSubIngestVerticle;
import ssecluster.ingest.redis.StreamIngestVerticle;
import ssecluster.status.NodeCounters;
import ssecluster.status.NodeMetrics;
import ssecluster.status.NodeState;
import ssecluster.status.PostgresStatus;
import ssecluster.status.RedisStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One running node: joins the cluster, then wires ingest -> bus -> fan-out -> wire and deploys the
 * verticles. This is the composition root; each piece it creates has one job.
 */
public final class Node {

  private static final Logger log = Logger.getLogger(Node.class.getName());
  private static final long REGISTRATION_RENEWAL_DELAY_MILLIS = 300;

  private final Settings settings;
  private final Vertx vertx;
  private final String transport;
  private final HazelcastClusterManager clusterManager;
  private final NodeCounters counters = new NodeCounters();
  private final NodeState state;
  private final NodeMetrics metrics;
  private final MessageIds ids;
  private final HistoryStore history;
  private final UnwatchedAddresses unwatched;
  private final Publisher publisher;
  private final FanoutHub hub;
  private final ClusterStatus clusterStatus;
  private final List<HttpServerVerticle> httpVerticles = new CopyOnWriteArrayList<>();
  private String httpDeployment;
  private final AtomicBoolean registrationRenewalScheduled = new AtomicBoolean();
  private RedisStatus redisStatus;
  private PostgresStatus postgresStatus;
  /**
   * Deployment ids of the Redis and PostgreSQL readers while they run; they are undeployed while the node has
   * stepped down.
   */
  private final List<String> ingestDeployments = new ArrayList<>();
  /** Pausing and resuming the readers, one after the other (on the island guard's context). */
  private Future<Void> ingestTransition = Future.succeededFuture();
  private Future<Void> stopped;

  private Node(Settings settings, ClusterFactory.ClusteredVertx clustered, HistoryStore history) {
    this.settings = settings;
    this.history = history;
    this.vertx = clustered.vertx();
    this.transport = clustered.transport();
    this.clusterManager = clustered.clusterManager();
    this.state = new NodeState(clusterManager, settings.nodeName());
    this.state.history(history);
    this.metrics = new NodeMetrics(counters, state);
    this.ids = new MessageIds(clusterManager.getNodeId());
    this.unwatched = new UnwatchedAddresses(clusterManager, counters.unwatchedSkipped);
    this.publisher = new Publisher(vertx, history, ids, settings.maxBodyBytes(), counters, unwatched);
    this.hub = new FanoutHub(counters, history, settings.keepaliveMillis(), settings.writeDelayMillis(), unwatched,
        clusterManager);
    this.clusterStatus = new ClusterStatus(vertx, clusterManager, new LocalStatus(vertx, state, counters, hub));
  }

  /** Joins the cluster and starts serving; the future fails (and the node is closed) if any part fails. */
  public static Future<Node> start(Settings settings) {
    // A promise with no context, as in stop(): after a failed deployment vertx.close() stops every event
    // loop, and a future bound to one of them (as compose/recover would make it) would never report back,
    // leaving the caller waiting forever without a word about what failed.
    Promise<Node> started = Promise.promise();
    ClusterFactory.join(settings, false).onComplete(joined -> {
      if (joined.failed()) {
        started.fail(joined.cause());
        return;
      }
      ClusterFactory.ClusteredVertx clustered = joined.result();
      openHistory(settings, clustered).onComplete(opened -> {
        if (opened.failed()) {
          clustered.vertx().close().onComplete(closed -> started.fail(opened.cause()));
          return;
        }
        Node node = new Node(settings, clustered, opened.result());
        node.deploy().onComplete(deployed -> {
          if (deployed.succeeded()) {
            started.complete(node);
          } else {
            node.vertx.close().onComplete(closed -> started.fail(deployed.cause()));
          }
        });
      });
    });
    return started.future();
  }

  /** The cluster's history, held by Hazelcast; none with {@code --history-size 0}. */
  private static Future<HistoryStore> openHistory(Settings settings, ClusterFactory.ClusteredVertx clustered) {
    if (settings.historySize() == 0) {
      return Future.succeededFuture(NoHistory.INSTANCE);
    }
    return HazelcastHistory.open(clustered.vertx(), clustered.clusterManager().getHazelcastInstance(),
        settings.historySize(), settings.historyTtlSeconds()).map(history -> history);
  }

  private Future<Void> deploy() {
    EventBusIngest eventBusIngest = new EventBusIngest(publisher, counters, state::stepDownReason);
    eventBusIngest.interceptPublishes(vertx.eventBus());
    return vertx.deployVerticle(hub)
        .compose(id -> {
          clusterManager.getHazelcastInstance().getPartitionService().addPartitionLostListener(event -> partitionLost());
          return eventBusIngest.servePublishRequests(vertx);
        })
        .compose(v -> ExpectedDepartures.INSTANCE.watch(vertx, clusterManager))
        .compose(v -> clusterStatus.local().serve())
        .compose(v -> deployRedisIngest())
        .compose(v -> deployPostgresIngest())
        .compose(v -> StaticAssets.load(vertx, settings.webroot()))
        // Generating an RSA key takes long enough to trip the blocked-thread checker: do it on a worker.
        .compose(assets -> vertx.executeBlocking(this::tlsCertificate)
            .compose(certificate -> vertx.deployVerticle(() -> {
              HttpServerVerticle verticle = new HttpServerVerticle(settings, hub, history, publisher, counters, state,
                  metrics, certificate, assets, clusterStatus);
              httpVerticles.add(verticle);
              return verticle;
            }, new DeploymentOptions().setInstances(settings.httpInstances()))))
        .compose(id -> {
          httpDeployment = id;
          return settings.demo() ? vertx.deployVerticle(new DemoFeedVerticle(publisher)).mapEmpty() : Future.succeededFuture();
        })
        .compose(v -> vertx.deployVerticle(new IslandGuard(clusterManager, settings.freezeThresholdMillis(), islandDecisions())))
        .onSuccess(v -> {
          state.phase(NodeState.Phase.UP);
          log.info("Node " + settings.nodeName() + " (" + state.nodeId() + ") is up: http://localhost:" + httpPort()
              + (httpsPort() >= 0 ? "  https://localhost:" + httpsPort() : "")
              + "  cluster members: " + state.clusterMembers().size()
              + "  transport: " + transport
              + (settings.demo() ? "  demo feed: on" : ""));
        })
        .mapEmpty();
  }

  /** Redis ingestion runs beside the rest: Redis being away never fails the start, it is retried. */
  private Future<Void> deployRedisIngest() {
    redisStatus = new RedisStatus(settings.redisUrl(), settings.redisIngest());
    state.redis(redisStatus);
    if (!settings.redisIngest()) {
      return Future.succeededFuture();
    }
    // The member id is unique per node run, so each node is its own consumer in the shared group.
    return vertx.deployVerticle(new StreamIngestVerticle(settings, state.nodeId(), publisher, counters, redisStatus))
        .compose(id -> {
          ingestDeployments.add(id);
          return vertx.deployVerticle(new PubSubIngestVerticle(settings, publisher, counters, redisStatus));
        })
        .onSuccess(ingestDeployments::add)
        .mapEmpty();
  }

  /** PostgreSQL ingestion, only with a --postgres-url; the database being away never fails the start either. */
  private Future<Void> deployPostgresIngest() {
    postgresStatus = new PostgresStatus(settings.postgresUrl(), settings.postgresIngest());
    state.postgres(postgresStatus);
    if (!settings.postgresIngest()) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(new PostgresIngestVerticle(settings, publisher, counters, postgresStatus))
        .onSuccess(ingestDeployments::add)
        .mapEmpty();
  }

  /**
   * What stepping down means for this node (see {@link IslandGuard}): /health, new streams and publishes answer
   * 503 with the reason; the streams end, so that their clients reconnect to a node that hears the cluster; the
   * Redis and PostgreSQL readers stop, handing PUBSUB, LISTEN and the outbox to a node of the majority and leaving
   * unacknowledged stream entries and outbox rows for it, instead of publishing into the island.
   */
  private IslandGuard.Decisions islandDecisions() {
    return new IslandGuard.Decisions() {
      @Override
      public void stepDown(String reason) {
        boolean steppedDown = state.stepDown(reason);
        // At every check while stepped down: also the streams whose subscription completed meanwhile.
        httpVerticles.forEach(HttpServerVerticle::endStreams);
        if (steppedDown) {
          ingestTransition = ingestTransition.compose(v -> pauseIngest());
        }
      }

      @Override
      public void serveAgain() {
        if (state.serveAgain()) {
          ingestTransition = ingestTransition.compose(v -> resumeIngest());
        }
      }

      @Override
      public Future<Void> merged() {
        // As for lost partitions: the island's registrations may be missing from the merged cluster's table.
        unwatched.forgetAll();
        return hub.renewRegistrations();
      }
    };
  }

  private Future<Void> pauseIngest() {
    if (ingestDeployments.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> undeployed = new ArrayList<>();
    ingestDeployments.forEach(id -> undeployed.add(vertx.undeploy(id)));
    ingestDeployments.clear();
    String paused = "paused: this node stepped down (cut off from its cluster)";
    return Future.join(undeployed)
        .onComplete(v -> {
          if (settings.redisIngest()) {
            redisStatus.disconnected(paused);
          }
          if (settings.postgresIngest()) {
            postgresStatus.disconnected(paused);
          }
        })
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private Future<Void> resumeIngest() {
    if (!ingestDeployments.isEmpty() || state.phase() == NodeState.Phase.STOPPING) {
      return Future.succeededFuture();
    }
    return deployRedisIngest().compose(v -> deployPostgresIngest()).otherwise(failure -> {
      log.log(Level.SEVERE, "Could not start the Redis and PostgreSQL readers again: " + failure, failure);
      return null;
    });
  }

  /**
   * Hazelcast reports each lost partition on its own, often a hundred at once when a member dies before
   * its data was backed up; one renewal of our event-bus registrations, shortly after, covers them all.
   */
  private void partitionLost() {
    // Lookups now may not see registrations that are about to be made again; each renewal announces its address.
    unwatched.forgetAll();
    if (registrationRenewalScheduled.compareAndSet(false, true)) {
      vertx.setTimer(REGISTRATION_RENEWAL_DELAY_MILLIS, id -> {
        registrationRenewalScheduled.set(false);
        log.warning("Hazelcast lost partitions (a member died before its data was backed up); registering this"
            + " node's event-bus consumers again so no subscriber misses messages");
        hub.renewRegistrations().onComplete(renewed -> {
          if (renewed.failed()) {
            log.log(Level.SEVERE, "Could not register event-bus consumers again: " + renewed.cause(), renewed.cause());
          }
        });
      });
    }
  }

  private KeyCertOptions tlsCertificate() {
    if (settings.httpsPort() < 0) {
      return null;
    }
    if (!settings.tlsCert().isEmpty() || !settings.tlsKey().isEmpty()) {
      if (settings.tlsCert().isEmpty() || settings.tlsKey().isEmpty()) {
        throw new IllegalArgumentException("--tls-cert and --tls-key go together");
      }
      return new PemKeyCertOptions().setCertPath(settings.tlsCert()).setKeyPath(settings.tlsKey());
    }
    log.info("No --tls-cert/--tls-key given: HTTPS uses a self-signed certificate for localhost"
        + " (browsers will ask you to accept it)");
    return SelfSignedCertificate.create("localhost").keyCertOptions();
  }

  /**
   * Leaves gracefully: reports STOPPING to health checks, tells the other nodes it is leaving (so they do
   * not warn that it died), ends every SSE stream so clients reconnect elsewhere, stops the HTTP servers,
   * then leaves the Hazelcast cluster.
   */
  public synchronized Future<Void> stop() {
    if (stopped != null) {
      return stopped;   // stopping or stopped already: the same outcome for every caller
    }
    state.phase(NodeState.Phase.STOPPING);
    Future<Void> httpStopped = ExpectedDepartures.announce(vertx, clusterManager)
        .compose(v -> httpDeployment == null ? Future.succeededFuture() : vertx.undeploy(httpDeployment))
        .eventually(history::close);
    // A promise with no context: vertx.close() completes on a thread of its own, after every event loop
    // (and any context a composed future would dispatch to) is gone.
    Promise<Void> closed = Promise.promise();
    httpStopped.onComplete(ignored -> vertx.close().onComplete(closed));
    stopped = closed.future();
    return stopped;
  }

  public Vertx vertx() {
    return vertx;
  }

  public int httpPort() {
    return httpVerticles.get(0).httpPort();
  }

  public int httpsPort() {
    return httpVerticles.get(0).httpsPort();
  }

  public String nodeId() {
    return state.nodeId();
  }

  public NodeCounters counters() {
    return counters;
  }

  public FanoutHub hub() {
    return hub;
  }

  public Publisher publisher() {
    return publisher;
  }

  public HistoryStore history() {
    return history;
  }
}
