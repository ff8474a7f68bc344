package dev.relocator.api;

import dev.relocator.crd.api.Status;
import dev.relocator.crd.api.StatusReason;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The bearer token every mutation needs. The file is a Swarm secret; it is re-read when its
 * modification time changes, so a rotated secret takes effect without a restart. Without a
 * token file every mutation is refused: an API that silently accepted unauthenticated writes
 * because a secret was missing would be worse than one that says so.
 */
@ApplicationScoped
public class TokenCheck {

    private final Path file;
    private volatile FileTime seen;
    private volatile byte[] token;

    public TokenCheck(ApiConfig config) {
        this.file = Path.of(config.tokenFile());
    }

    /** Empty when {@code authorization} carries the right bearer token, else the 401 to answer with. */
    public Optional<Status> check(String authorization) {
        byte[] expected;
        try {
            expected = current();
        } catch (NoSuchFileException e) {
            return Optional.of(unauthorized("this server has no API token (no file at " + file + "), so it refuses every "
                    + "change; mount the Swarm secret relocator_api_token there (or set relocator.rest.token-file). Reads need no token"));
        } catch (IOException e) {
            return Optional.of(unauthorized("this server cannot read its API token at " + file + " (" + e.getMessage()
                    + "), so it refuses every change; fix the file's permissions"));
        }
        if (expected.length == 0) {
            return Optional.of(unauthorized("the API token file " + file + " is empty, so every change is refused; "
                    + "recreate the relocator_api_token secret with a non-empty value"));
        }
        if (authorization == null || authorization.isBlank()) {
            return Optional.of(unauthorized("this request changes state and carries no token: send the header "
                    + "'Authorization: Bearer <token>' (relocatorctl: --token-file FILE or RELOCATOR_TOKEN)"));
        }
        String a = authorization.strip();
        if (!a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(unauthorized("the Authorization header is not a bearer token: send 'Authorization: Bearer <token>'"));
        }
        byte[] given = a.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, expected)) {
            return Optional.of(unauthorized("the bearer token is wrong: use the value of the relocator_api_token secret"));
        }
        return Optional.empty();
    }

    private byte[] current() throws IOException {
        FileTime mtime = Files.getLastModifiedTime(file);
        if (token == null || !mtime.equals(seen)) {
            token = Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
            seen = mtime;
        }
        return token;
    }

    private static Status unauthorized(String message) {
        return Status.failure(StatusReason.Unauthorized, "Unauthorized: " + message, null);
    }
}
