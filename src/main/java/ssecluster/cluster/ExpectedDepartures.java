package ssecluster.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import ssecluster.bus.BusAddresses;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps Hazelcast's warnings about members that vanish, and drops them for members that leave on purpose.
 *
 * <p>Hazelcast sends no leave message: when a member shuts down, even gracefully, every other member sees
 * its connection close, retries it, and warns "Removing connection to endpoint ..." and "Member ... is
 * suspected to be dead", exactly as for a crash. A light member ({@code run.sh publish}) leaves after each
 * publish and a node leaves at each restart, so those warnings would come by the dozen and teach people to
 * ignore the ones that matter. Expected to leave are:
 * <ul>
 *   <li>light members: they hold no data and no streams, so their going never needs anyone's attention;</li>
 *   <li>nodes that announced their leaving on {@link BusAddresses#LEAVING} first ({@link #announce}).</li>
 * </ul>
 * Hazelcast's INFO lines ("Removing Member ...", the new member list) still say who left.
 *
 * <p>java.util.logging is one per JVM, so this filter and what it knows are too; tests run several nodes
 * in one JVM, and each adds what it learns.
 */
public final class ExpectedDepartures implements Filter {

  private static final Logger log = Logger.getLogger(ExpectedDepartures.class.getName());

  /** The one instance, installed on the Hazelcast loggers that warn about a member that left. */
  public static final ExpectedDepartures INSTANCE = new ExpectedDepartures();

  /**
   * Where Hazelcast warns about a member that went: its connection retries, its suspicion, answers it sent
   * while shutting down to calls already given up, and a cluster-safe query (our {@code /health}) that it
   * left in the middle of. Strong references: java.util.logging forgets the filter of a logger nobody holds.
   */
  private static final List<Logger> FILTERED = List.of(
      Logger.getLogger("com.hazelcast.internal.server.tcp.TcpServerConnectionErrorHandler"),
      Logger.getLogger("com.hazelcast.internal.cluster.impl.MembershipManager"),
      Logger.getLogger("com.hazelcast.spi.impl.operationservice.impl.InboundResponseHandler"),
      Logger.getLogger("com.hazelcast.internal.partition.PartitionServiceProxy"));

  /**
   * "Removing connection to endpoint [127.0.0.1]:5704 ...", "Member [127.0.0.1]:5704 - uuid is suspected ...",
   * "No Invocation found for error response with callId=20 sent from [127.0.0.1]:5704" and, in a
   * MemberLeftException, "Member [127.0.0.1]:5704 - uuid has left cluster!".
   */
  private static final Pattern MEMBER_ADDRESS =
      Pattern.compile("(?:Removing connection to endpoint|Member|sent from) (\\[[^\\]]+\\]:\\d+)");

  /** The field of a leaving notice on {@link BusAddresses#LEAVING} that holds the member's Hazelcast address. */
  static final String NOTICE_ADDRESS = "address";

  /** How long after leaving a member's connection errors and suspicion may still be logged. */
  private static final long GRACE_MILLIS = 30_000;

  /** "[127.0.0.1]:5703 [sse-cluster] [5.3.8] ...": the member that logs the line. */
  private static final Pattern LOGGING_MEMBER = Pattern.compile("(\\[[^\\]]+\\]:\\d+) ");

  /** Members of this JVM that are leaving. */
  private final Deadlines leavingHere = new Deadlines();
  /** Members gone or going, by Hazelcast address ({@code [host]:port}): warnings about them are expected. */
  private final Deadlines expected = new Deadlines();
  private final AtomicBoolean installed = new AtomicBoolean();
  /** The Hazelcast members of the nodes in this JVM, whose member lists say which members are light. */
  private final Set<HazelcastInstance> instances = ConcurrentHashMap.newKeySet();

  private ExpectedDepartures() {
  }

  /**
   * Starts filtering, and learns from this node's cluster which members are light and which nodes announce
   * their leaving.
   */
  public Future<Void> watch(Vertx vertx, HazelcastClusterManager clusterManager) {
    if (installed.compareAndSet(false, true)) {
      FILTERED.forEach(logger -> logger.setFilter(this));
    }
    HazelcastInstance hazelcast = clusterManager.getHazelcastInstance();
    instances.add(hazelcast);
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        if (!event.getMember().isLiteMember()) {
          // A node now at the address of a member that left: its own vanishing must be reported.
          expected.forget(address(event.getMember()));
        }
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        Member member = event.getMember();
        if (member.isLiteMember()) {
          expected.add(address(member));
        } else {
          expected.extend(address(member));
        }
      }
    });
    return vertx.eventBus().consumer(BusAddresses.LEAVING, message -> {
      if (message.body() instanceof JsonObject notice) {
        expected.add(notice.getString(NOTICE_ADDRESS, ""));
      }
    }).completion();
  }

  /**
   * Tells the other nodes that this one is about to leave the cluster. Completes once the notice is on its
   * way (or after a second at most): best effort, as it only decides which warnings they log.
   */
  public static Future<Void> announce(Vertx vertx, HazelcastClusterManager clusterManager) {
    String address;
    try {
      address = address(clusterManager.getHazelcastInstance().getCluster().getLocalMember());
    } catch (RuntimeException notActive) {
      return Future.succeededFuture();   // out of the cluster already: nobody to tell
    }
    // A node that leaves itself has no use for news of others leaving (all nodes stop at once on Ctrl-C).
    INSTANCE.leavingHere.add(address);
    JsonObject notice = new JsonObject().put(NOTICE_ADDRESS, address);
    return vertx.eventBus().publisher(BusAddresses.LEAVING).write(notice)
        .timeout(1, TimeUnit.SECONDS)
        .otherwiseEmpty();
  }

  @Override
  public boolean isLoggable(LogRecord record) {
    if (record.getLevel().intValue() < Level.WARNING.intValue()) {
      return true;
    }
    boolean expectedDeparture = loggedByLeavingMember(record.getMessage())
        || aboutExpectedDeparture(record.getMessage())
        || (record.getThrown() != null && aboutExpectedDeparture(record.getThrown().getMessage()));
    if (!expectedDeparture) {
      return true;
    }
    if (log.isLoggable(Level.FINE)) {
      log.fine("Expected departure, not a warning: " + record.getMessage());
    }
    return false;
  }

  /** Hazelcast starts each line with the address of the member that logs it. */
  private boolean loggedByLeavingMember(String message) {
    if (message == null) {
      return false;
    }
    Matcher matcher = LOGGING_MEMBER.matcher(message);
    return matcher.lookingAt() && leavingHere.holds(matcher.group(1));
  }

  private boolean aboutExpectedDeparture(String message) {
    if (message == null) {
      return false;
    }
    Matcher matcher = MEMBER_ADDRESS.matcher(message);
    return matcher.find() && isExpected(matcher.group(1));
  }

  private boolean isExpected(String address) {
    return expected.holds(address) || isLightMember(address);
  }

  /** Asked of the member lists themselves, which know a light member before any listener hears of it. */
  private boolean isLightMember(String address) {
    for (HazelcastInstance instance : instances) {
      if (!instance.getLifecycleService().isRunning()) {
        instances.remove(instance);
        continue;
      }
      for (Member member : instance.getCluster().getMembers()) {
        if (member.isLiteMember() && address(member).equals(address)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String address(Member member) {
    return member.getAddress().toString();
  }

  /** Addresses, each held for {@link #GRACE_MILLIS} from when it was added or extended. */
  private static final class Deadlines {

    private final Map<String, Long> untilMillis = new ConcurrentHashMap<>();

    void add(String address) {
      if (address.isEmpty()) {
        return;
      }
      long now = System.currentTimeMillis();
      untilMillis.values().removeIf(until -> until < now);
      untilMillis.put(address, now + GRACE_MILLIS);
    }

    /** Holds an address already here for the full grace period from now. */
    void extend(String address) {
      untilMillis.computeIfPresent(address, (a, until) -> System.currentTimeMillis() + GRACE_MILLIS);
    }

    void forget(String address) {
      untilMillis.remove(address);
    }

    boolean holds(String address) {
      Long until = untilMillis.get(address);
      return until != null && until >= System.currentTimeMillis();
    }
  }
}
