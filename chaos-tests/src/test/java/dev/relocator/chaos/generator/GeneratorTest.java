package dev.relocator.chaos.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.nemesis.Nemesis;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    private static final Generator.Options OPTIONS = new Generator.Options(
            List.of(Nemesis.CRASH, Nemesis.BLIP, Nemesis.KILL_WORKLOAD, Nemesis.PARTITION), 8,
            Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(25), Duration.ofSeconds(3));

    @Test
    void theSameSeedGivesTheSameSchedule() {
        assertEquals(Generator.schedule(42, OPTIONS), Generator.schedule(42, OPTIONS));
        assertNotEquals(Generator.schedule(42, OPTIONS), Generator.schedule(43, OPTIONS));
    }

    @Test
    void faultsAlternateWithWaitsAndStayInBounds() {
        List<Step> s = Generator.schedule(7, OPTIONS);
        assertEquals(2 * 8 + 1, s.size());
        for (int i = 0; i < s.size(); i++) {
            if (i % 2 == 0) {
                Duration d = ((Step.Wait) s.get(i)).duration();
                assertTrue(d.compareTo(Duration.ofSeconds(2)) >= 0 && d.compareTo(Duration.ofSeconds(5)) <= 0, d.toString());
            } else {
                Step.Inject f = (Step.Inject) s.get(i);
                if (f.fault().equals(Nemesis.BLIP)) {
                    assertTrue(f.hold().compareTo(Duration.ofSeconds(3)) <= 0);
                    assertTrue(!f.expectRelocation(), "a blip never expects a move");
                }
            }
        }
    }

    @Test
    void anUnknownFaultIsRejectedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Generator.Options(
                List.of("meteor"), 1, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO));
        assertTrue(e.getMessage().contains("crash"), e.getMessage());
    }
}
