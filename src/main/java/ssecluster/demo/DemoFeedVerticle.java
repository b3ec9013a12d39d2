package ssecluster.demo;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import ssecluster.bus.Publication;
import ssecluster.bus.Publisher;
import ssecluster.namespace.Namespace;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** The demo feed {@code run.sh} starts on one node: a clock on {@code time}, pets on {@code pets.*}. */
public final class DemoFeedVerticle extends VerticleBase {

  private static final Namespace TIME = Namespace.parse("time");
  private static final Namespace DOGS = Namespace.parse("pets.dogs");
  private static final Namespace CATS = Namespace.parse("pets.cats");
  private static final List<String> DOG_BREEDS = List.of("Corgi", "Terrier", "Dachshund", "Beagle", "Husky", "Poodle");
  private static final List<String> CAT_BREEDS = List.of("Persian", "Siamese", "Maine Coon", "Sphynx", "Bengal");
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'");

  private final Publisher publisher;

  public DemoFeedVerticle(Publisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(1000, id -> publisher.publish(
        new Publication(TIME, null, ZonedDateTime.now(ZoneOffset.UTC).format(CLOCK))));
    schedulePet();
    return Future.succeededFuture();
  }

  private void schedulePet() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    vertx.setTimer(1500 + random.nextInt(2500), id -> {
      boolean dog = random.nextBoolean();
      List<String> breeds = dog ? DOG_BREEDS : CAT_BREEDS;
      String breed = breeds.get(random.nextInt(breeds.size()));
      publisher.publish(new Publication(dog ? DOGS : CATS, dog ? "new-dog" : "new-cat", breed));
      schedulePet();
    });
  }
}
