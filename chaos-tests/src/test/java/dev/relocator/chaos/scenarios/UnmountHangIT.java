package dev.relocator.chaos.scenarios;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.history.History;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.nemesis.Nemesis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hanging unmount: with the fault in place, dockerd's release of a lab-nas volume blocks in the
 * driver's Unmount for the given time; healed, it answers at once.
 */
class UnmountHangIT {

    private static SwarmLab lab;

    @BeforeAll
    static void startLab() {
        lab = SwarmLab.start(new SwarmLab.Spec(1, 1));
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void anUnmountHangsForTheGivenTimeAndNotAfterTheHeal() throws Exception {
        String image = lab.images().workloadImage();
        Path dir = ScenarioSupport.runDir("unmount-hang", 1);
        try (History history = new History(dir.resolve("history.jsonl"))) {
            Nemesis nemesis = new Nemesis(lab, history, Optional.empty());
            Duration hang = Duration.ofSeconds(6);

            long hung = removeProbe(image, () -> nemesis.hangUnmount("w1", hang));
            String log = Files.readString(lab.nodeDir("w1").resolve("lab-nas.log"));
            assertTrue(log.contains("hang=" + hang.toMillis() + "ms"), log);
            assertTrue(hung >= hang.toMillis() - 500,
                    "removing the container waited for the hung unmount: " + hung + " ms for a " + hang.toMillis() + " ms hang");

            long healed = removeProbe(image, () -> nemesis.healUnmountHang("w1"));
            assertTrue(healed < hang.toMillis() - 500, "after the heal the unmount answers at once: " + healed + " ms");
            System.out.println("[chaos] unmount-hang: container removal took " + hung + " ms with a " + hang.toMillis()
                    + " ms hang, " + healed + " ms healed");
        }
    }

    /** Starts a container on a lab-nas volume on w1, applies the fault change, and times its forced removal. */
    private static long removeProbe(String image, Runnable faultChange) {
        lab.docker("w1", "run", "-d", "--name", "hang-probe", "--mount",
                "type=volume,source=hang-probe,target=/data,volume-driver=lab-nas", image, "sleep", "600").orThrow("run probe");
        faultChange.run();
        long t0 = System.nanoTime();
        lab.docker("w1", "rm", "-f", "hang-probe").orThrow("rm probe");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        lab.docker("w1", "volume", "rm", "hang-probe").orThrow("volume rm");
        return ms;
    }
}
