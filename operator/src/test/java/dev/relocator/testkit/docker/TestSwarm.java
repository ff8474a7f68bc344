package dev.relocator.testkit.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.LocalNodeState;
import com.github.dockerjava.api.model.SwarmInfo;
import com.github.dockerjava.api.model.SwarmSpec;

/**
 * Makes the host engine a single-node Swarm on loopback for the tests, unless it already is
 * one, and leaves the swarm at {@link #close()} only when this helper created it, and only
 * when the last user is done: test classes in this JVM share it, and so do test JVMs of other
 * modules and worktrees on the same engine, which register in {@link #USERS} (one file per
 * live process). A swarm some other tool made is never left.
 */
public final class TestSwarm implements AutoCloseable {

    private static int users;
    private static boolean createdHere;
    /** Cross-process registry of JVMs using the test swarm; stale entries (dead pids) do not count. */
    static final java.nio.file.Path USERS = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "relocator-testswarm-users");
    private static final java.nio.file.Path CREATED = USERS.resolve("created-by-testkit");

    private final DockerClient docker;
    private boolean closed;

    private TestSwarm(DockerClient docker) {
        this.docker = docker;
    }

    public static TestSwarm ensure(DockerClient docker) {
        synchronized (TestSwarm.class) {
            if (!active(docker)) {
                try {
                    docker.initializeSwarmCmd(new SwarmSpec())
                            .withListenAddr("127.0.0.1:2377")
                            .withAdvertiseAddr("127.0.0.1")
                            .exec();
                    createdHere = true;
                } catch (DockerException e) {
                    if (!active(docker)) {
                        throw new AssertionError("cannot make the engine a single-node swarm (swarm init --advertise-addr 127.0.0.1): "
                                + e.getMessage(), e);
                    }
                    // someone else initialised it in between: use it, do not leave it
                }
            }
            if (createdHere) {
                touch(CREATED);
            }
            users++;
            touch(USERS.resolve(Long.toString(ProcessHandle.current().pid())));
            return new TestSwarm(docker);
        }
    }

    static boolean active(DockerClient docker) {
        SwarmInfo swarm = docker.infoCmd().exec().getSwarm();
        return swarm != null && swarm.getLocalNodeState() == LocalNodeState.ACTIVE;
    }

    private static void touch(java.nio.file.Path p) {
        try {
            java.nio.file.Files.createDirectories(USERS);
            if (!java.nio.file.Files.exists(p)) {
                java.nio.file.Files.createFile(p);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot register in " + USERS, e);
        }
    }

    private static boolean otherLiveUsers() {
        try (var entries = java.nio.file.Files.list(USERS)) {
            long self = ProcessHandle.current().pid();
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                    .mapToLong(Long::parseLong).filter(pid -> pid != self)
                    .anyMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    public String nodeId() {
        return docker.infoCmd().exec().getSwarm().getNodeID();
    }

    @Override
    public void close() {
        synchronized (TestSwarm.class) {
            if (closed) {
                return;
            }
            closed = true;
            users--;
            if (users > 0) {
                return;
            }
            java.nio.file.Path mine = USERS.resolve(Long.toString(ProcessHandle.current().pid()));
            try {
                java.nio.file.Files.deleteIfExists(mine);
            } catch (java.io.IOException ignored) {
                // a stale entry is ignored by its dead pid
            }
            boolean otherUsers = otherLiveUsers();
            if (!otherUsers && (createdHere || java.nio.file.Files.exists(CREATED)) && active(docker)) {
                docker.leaveSwarmCmd().withForceEnabled(true).exec();
                try {
                    java.nio.file.Files.deleteIfExists(CREATED);
                } catch (java.io.IOException ignored) {
                    // next creator rewrites it
                }
            }
            createdHere = false;
        }
    }
}
