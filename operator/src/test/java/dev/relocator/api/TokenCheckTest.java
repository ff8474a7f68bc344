package dev.relocator.api;

import dev.relocator.crd.api.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bearer token: every way to be refused says why, and a rotated secret takes effect without a restart. */
class TokenCheckTest {

    @TempDir
    Path dir;

    private TokenCheck check(Path file) {
        return new TokenCheck(new ApiConfig() {
            @Override
            public String tokenFile() {
                return file.toString();
            }

            @Override
            public int maxBodyBytes() {
                return 1024;
            }

            @Override
            public Duration watchKeepalive() {
                return Duration.ofSeconds(15);
            }

            @Override
            public Store store() {
                throw new UnsupportedOperationException();
            }
        });
    }

    private static String refusal(Optional<Status> s) {
        assertTrue(s.isPresent(), "expected a refusal");
        assertEquals(401, s.get().code());
        assertEquals("Unauthorized", s.get().reason().name());
        return s.get().message();
    }

    @Test
    void refusesEverythingWithoutATokenFile() {
        TokenCheck t = check(dir.resolve("missing"));
        assertTrue(refusal(t.check("Bearer anything")).contains("no API token (no file at " + dir.resolve("missing")));
    }

    @Test
    void refusesEverythingWithAnEmptyTokenFile() throws IOException {
        Path f = Files.writeString(dir.resolve("t"), "  \n");
        assertTrue(refusal(check(f).check("Bearer ")).contains("is empty"));
    }

    @Test
    void acceptsOnlyTheRightBearerToken() throws IOException {
        Path f = Files.writeString(dir.resolve("t"), "s3cret\n");
        TokenCheck t = check(f);
        assertTrue(t.check("Bearer s3cret").isEmpty());
        assertTrue(t.check("bearer   s3cret  ").isEmpty(), "scheme is case-insensitive, whitespace trimmed");
        assertTrue(refusal(t.check(null)).contains("carries no token"));
        assertTrue(refusal(t.check("Basic czNjcmV0")).contains("not a bearer token"));
        assertTrue(refusal(t.check("Bearer s3cret2")).contains("token is wrong"));
        assertTrue(refusal(t.check("Bearer s3cre")).contains("token is wrong"));
    }

    @Test
    void aRotatedSecretTakesEffect() throws IOException {
        Path f = Files.writeString(dir.resolve("t"), "old");
        TokenCheck t = check(f);
        assertTrue(t.check("Bearer old").isEmpty());
        Files.writeString(f, "new");
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5)));
        assertTrue(t.check("Bearer new").isEmpty());
        assertTrue(refusal(t.check("Bearer old")).contains("token is wrong"));
    }
}
