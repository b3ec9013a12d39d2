package ssecluster.admin;

import com.hazelcast.cluster.Member;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /admin/cluster.json}: asks every data member of the cluster for its status over the event bus, all at
 * once, and waits at most {@link #TIMEOUT_MILLIS} for each. A member that does not answer in time (frozen, cut
 * off, overloaded) is listed as unreachable, under the name it had when it last answered here; it never holds
 * the answer up for longer. Light members ({@code run.sh publish}) serve no status and are not asked.
 */
public final class ClusterStatus {

  /** How long a member may take to answer: a healthy one answers in milliseconds, even under load. */
  public static final long TIMEOUT_MILLIS = 2_000;
  /** See {@link #dataMembers()}. */
  static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final Vertx vertx;
  private final ClusterManager clusterManager;
  private final LocalStatus local;
  /** The name each member had when it last answered, by node id, for the members of the cluster now. */
  private final Map<String, String> lastKnownNames = new ConcurrentHashMap<>();

  public ClusterStatus(Vertx vertx, ClusterManager clusterManager, LocalStatus local) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.local = local;
  }

  public LocalStatus local() {
    return local;
  }

  /**
   * The cluster's status as JSON text; completes on the caller's context. Never fails because a member fails:
   * that member is listed as unreachable.
   */
  public Future<Buffer> gather(StatusQuery query) {
    List<String> members = dataMembers();
    List<Future<Reply>> asked = new ArrayList<>();
    for (String nodeId : members) {
      asked.add(ask(nodeId, query));
    }
    // Members' answers can be large: they are parsed, merged and encoded on a worker, not on an event loop; the
    // result comes back on the caller's context.
    Context caller = vertx.getOrCreateContext();
    return Future.join(asked).compose(all -> caller.executeBlocking(() -> {
      lastKnownNames.keySet().retainAll(members);
      List<ClusterDocument.Answer> answers = new ArrayList<>();
      for (Reply reply : all.<Reply>list()) {
        ClusterDocument.Answer answer = reply.answer(lastKnownNames.get(reply.nodeId()));
        if (answer.status() != null) {
          lastKnownNames.put(answer.nodeId(), answer.status().getString("node", ""));
        }
        answers.add(answer);
      }
      return ClusterDocument.of(local.nodeName(), local.nodeId(), TIMEOUT_MILLIS, answers).toBuffer();
    }, false));
  }

  /** A member's reply as it arrived: its status (this node's as it is, another's still encoded), or why none. */
  private record Reply(String nodeId, JsonObject status, Buffer encoded, String error) {

    ClusterDocument.Answer answer(String lastKnownName) {
      if (status != null) {
        return ClusterDocument.Answer.of(nodeId, status);
      }
      if (encoded != null) {
        try {
          return ClusterDocument.Answer.of(nodeId, new JsonObject(encoded));
        } catch (RuntimeException notJson) {
          return ClusterDocument.Answer.unreachable(nodeId, lastKnownName, "its answer was not JSON");
        }
      }
      return ClusterDocument.Answer.unreachable(nodeId, lastKnownName, error);
    }
  }

  private Future<Reply> ask(String nodeId, StatusQuery query) {
    if (nodeId.equals(local.nodeId())) {
      return local.status(query)
          .map(status -> new Reply(nodeId, status, null, null))
          .otherwise(failure -> new Reply(nodeId, null, null, "could not gather its status: " + failure.getMessage()));
    }
    return vertx.eventBus().<Buffer>request(LocalStatus.address(nodeId), query.toJson(),
            new DeliveryOptions().setSendTimeout(TIMEOUT_MILLIS))
        .map(reply -> new Reply(nodeId, null, reply.body(), null))
        .otherwise(failure -> new Reply(nodeId, null, null, why(failure)));
  }

  private static String why(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case TIMEOUT -> "no answer within " + TIMEOUT_MILLIS + " ms";
        case NO_HANDLERS -> "it serves no status (starting or stopping)";
        default -> "it could not answer: " + reply.getMessage();
      };
    }
    return "it could not answer: " + failure.getMessage();
  }

  /**
   * The Vert.x node ids of the cluster's data members, oldest first (Hazelcast's order); every node when not on
   * Hazelcast. vertx-hazelcast keeps a member's node id in the member attribute {@value #NODE_ID_ATTRIBUTE} (its
   * own {@code getNodes()} reads it there); reading it here is the one way to tell the light members' ids apart.
   */
  private List<String> dataMembers() {
    if (!(clusterManager instanceof HazelcastClusterManager hazelcast)) {
      return clusterManager.getNodes();
    }
    List<String> members = new ArrayList<>();
    try {
      for (Member member : hazelcast.getHazelcastInstance().getCluster().getMembers()) {
        String nodeId = member.getAttribute(NODE_ID_ATTRIBUTE);
        if (!member.isLiteMember() && nodeId != null) {
          members.add(nodeId);
        }
      }
    } catch (RuntimeException notActive) {
      return List.of(local.nodeId());   // Hazelcast is shutting down: this node is leaving, and can still say so
    }
    return members;
  }
}
