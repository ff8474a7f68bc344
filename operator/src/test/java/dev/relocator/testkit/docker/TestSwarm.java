package dev.relocator.testkit.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.LocalNodeState;
import com.github.dockerjava.api.model.SwarmInfo;
import com.github.dockerjava.api.model.SwarmSpec;

/**
 * Makes the host engine a single-node Swarm on loopback for the tests, unless it already is
 * one, and leaves the swarm at {@link #close()} only when this helper created it, and only
 * when the last user in this JVM is done (test classes share it).
 */
public final class TestSwarm implements AutoCloseable {

    private static int users;
    private static boolean createdHere;

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
            users++;
            return new TestSwarm(docker);
        }
    }

    static boolean active(DockerClient docker) {
        SwarmInfo swarm = docker.infoCmd().exec().getSwarm();
        return swarm != null && swarm.getLocalNodeState() == LocalNodeState.ACTIVE;
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
            if (users == 0 && createdHere) {
                docker.leaveSwarmCmd().withForceEnabled(true).exec();
                createdHere = false;
            }
        }
    }
}
