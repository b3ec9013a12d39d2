package ssecluster.history.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/**
 * Registers the history's Hazelcast classes: its record and entry processors travel between members in
 * Hazelcast's compact IdentifiedDataSerializable form (no reflection, no Java serialization), and its map keeps
 * records as objects, so that entry processors change them in place.
 */
public final class HistorySerialization implements DataSerializableFactory {

  static final int FACTORY_ID = 0x55E;
  static final int NAMESPACE_LOG = 1;
  static final int APPEND = 2;
  static final int APPEND_RESULT = 3;
  static final int READ = 4;
  static final int READ_RESULT = 5;
  static final int CHILD = 6;
  static final int SWEEP = 7;
  static final int STATS = 8;

  /** The map of namespace records. */
  static final String MAP = "sse:history";
  /** When this cluster's history began. */
  static final String META_MAP = "sse:history-meta";

  /**
   * Adds what every member (light members too: they append when they publish) needs: the serializers and the
   * maps' settings, unless the Hazelcast file already configures those maps.
   */
  public static void configure(Config config) {
    config.getSerializationConfig().addDataSerializableFactory(FACTORY_ID, new HistorySerialization());
    if (config.getMapConfigOrNull(MAP) == null) {
      config.addMapConfig(new MapConfig(MAP)
          .setInMemoryFormat(InMemoryFormat.OBJECT)
          .setBackupCount(1)
          .setAsyncBackupCount(0)
          .setStatisticsEnabled(false));
    }
    if (config.getMapConfigOrNull(META_MAP) == null) {
      config.addMapConfig(new MapConfig(META_MAP).setBackupCount(1));
    }
  }

  @Override
  public IdentifiedDataSerializable create(int typeId) {
    return switch (typeId) {
      case NAMESPACE_LOG -> new NamespaceLog();
      case APPEND -> new AppendProcessor();
      case APPEND_RESULT -> new AppendProcessor.Result();
      case READ -> new ReadProcessor();
      case READ_RESULT -> new ReadProcessor.Result();
      case CHILD -> new ChildProcessor();
      case SWEEP -> new SweepProcessor();
      case STATS -> new StatsProcessor();
      default -> null;
    };
  }
}
