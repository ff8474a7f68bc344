package dev.relocator.docker.node;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerMount;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.relocator.docker.swarm.RelocatorLabels;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The agent's hands on its own node: find the writers of a volume, kill them and confirm
 * they are gone, remove a volume reference (never data), create a volume and prepare it.
 * Everything reads the truth from the local engine at the moment of acting; nothing here
 * trusts a cached view.
 */
public final class LocalNodeOperations {

    /** The label, and its value, on the short-lived helper containers of a prepare or verify. */
    public static final String ROLE_LABEL = RelocatorLabels.PREFIX + "role";
    public static final String OWNERSHIP_HELPER = "ownership-helper";

    private static final long CONFIRM_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final DockerClient docker;
    private final Predicate<VolumeInfo> scope;

    public LocalNodeOperations(DockerClient docker) {
        this(docker, v -> true);
    }

    /**
     * @param scope which relocatable volumes this instance is responsible for; everything in
     *              production, one test run's volumes in tests that share an engine
     */
    public LocalNodeOperations(DockerClient docker, Predicate<VolumeInfo> scope) {
        this.docker = Objects.requireNonNull(docker, "docker");
        this.scope = Objects.requireNonNull(scope, "scope");
    }

    /** Containers (any state) that mount the named volume. */
    public List<LocalContainer> containersMounting(String volume) {
        RelocatorLabels.requireVolumeName(volume);
        return list(Set.of(volume)::contains, List.of(volume));
    }

    /** Containers (any state) that mount any relocatable volume of this node. */
    public List<LocalContainer> containersMountingRelocatable() {
        Set<String> relocatable = relocatableVolumeNames();
        if (relocatable.isEmpty()) {
            return List.of();
        }
        return list(relocatable::contains, List.of());
    }

    /**
     * Live containers (running, paused, restarting) that mount any of {@code volumes}, from one engine request
     * whatever their number (the agent's tick asks this for every volume it knows).
     */
    public List<LocalContainer> liveContainersMountingAny(Set<String> volumes) {
        volumes.forEach(RelocatorLabels::requireVolumeName);
        if (volumes.isEmpty()) {
            return List.of();
        }
        return list(volumes::contains, List.of(), LocalContainer.ALIVE_STATES);
    }

    private List<LocalContainer> list(Predicate<String> mountsVolume, List<String> volumeFilter) {
        return list(mountsVolume, volumeFilter, List.of());
    }

    private List<LocalContainer> list(Predicate<String> mountsVolume, List<String> volumeFilter, List<String> statusFilter) {
        try {
            var cmd = docker.listContainersCmd().withShowAll(true);
            if (!volumeFilter.isEmpty()) {
                cmd = cmd.withVolumeFilter(volumeFilter);
            }
            if (!statusFilter.isEmpty()) {
                cmd = cmd.withStatusFilter(statusFilter);
            }
            List<LocalContainer> out = new ArrayList<>();
            for (Container c : cmd.exec()) {
                List<String> volumes = new ArrayList<>();
                if (c.getMounts() != null) {
                    for (ContainerMount m : c.getMounts()) {
                        if (m.getName() != null && mountsVolume.test(m.getName())) {
                            volumes.add(m.getName());
                        }
                    }
                }
                if (!volumes.isEmpty()) {
                    String name = c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].replaceFirst("^/", "");
                    out.add(new LocalContainer(c.getId(), name, c.getState(), volumes, c.getLabels()));
                }
            }
            return out;
        } catch (DockerException e) {
            throw new NodeOperationException("cannot list local containers: " + e.getMessage(), e);
        }
    }

    /** Names of the volumes on this node that Relocator marked relocatable or created. */
    public Set<String> relocatableVolumeNames() {
        Set<String> names = new LinkedHashSet<>();
        for (VolumeInfo v : volumes()) {
            if (RelocatorLabels.isRelocatableVolume(v.labels()) && scope.test(v)) {
                names.add(v.name());
            }
        }
        return names;
    }

    public List<VolumeInfo> volumes() {
        try {
            List<InspectVolumeResponse> all = docker.listVolumesCmd().exec().getVolumes();
            return all == null ? List.of() : all.stream().map(LocalNodeOperations::toInfo).toList();
        } catch (DockerException e) {
            throw new NodeOperationException("cannot list local volumes: " + e.getMessage(), e);
        }
    }

    public Optional<VolumeInfo> volume(String name) {
        RelocatorLabels.requireVolumeName(name);
        try {
            return Optional.of(toInfo(docker.inspectVolumeCmd(name).exec()));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (DockerException e) {
            throw new NodeOperationException("cannot inspect volume " + name + ": " + e.getMessage(), e);
        }
    }

    private static VolumeInfo toInfo(InspectVolumeResponse v) {
        return new VolumeInfo(v.getName(), v.getDriver(), v.getOptions(), v.getLabels(), v.getMountpoint());
    }

    /** Kills every live container mounting {@code volume} and confirms none is left alive. */
    public KillReport killWritersOf(String volume, Duration bound) {
        RelocatorLabels.requireVolumeName(volume);
        return killAndConfirm(() -> containersMounting(volume), bound);
    }

    /** Self-fence: kills every live container mounting any relocatable volume, and confirms. */
    public KillReport killAllRelocatableWriters(Duration bound) {
        return killAndConfirm(this::containersMountingRelocatable, bound);
    }

    /**
     * SIGKILL, then re-list until no match is alive, within {@code bound}. Re-listing (not
     * remembering the first list) catches a container that a restart policy revives or that
     * started between the list and the kill: confirmation means "none alive at one instant
     * after the kills".
     */
    KillReport killAndConfirm(java.util.function.Supplier<List<LocalContainer>> writers, Duration bound) {
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("kill bound must be positive, got " + bound);
        }
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        Set<String> killed = new LinkedHashSet<>();
        List<String> alive = List.of();
        while (true) {
            try {
                alive = writers.get().stream().filter(LocalContainer::alive).map(LocalContainer::id).toList();
            } catch (NodeOperationException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                LockSupport.parkNanos(CONFIRM_POLL_NANOS);
                continue;
            }
            if (alive.isEmpty()) {
                return new KillReport(true, new ArrayList<>(killed), List.of(), Duration.ofNanos(System.nanoTime() - start));
            }
            if (System.nanoTime() - deadline >= 0) {
                return new KillReport(false, new ArrayList<>(killed), alive, Duration.ofNanos(System.nanoTime() - start));
            }
            for (String id : alive) {
                kill(id);
                killed.add(id);
            }
            LockSupport.parkNanos(CONFIRM_POLL_NANOS);
        }
    }

    private void kill(String id) {
        try {
            docker.killContainerCmd(id).withSignal("KILL").exec();
        } catch (NotFoundException | ConflictException e) {
            // gone, or already not running: the next list decides
        } catch (DockerException e) {
            // the next list decides; an engine that cannot kill shows up as "not confirmed"
        }
    }

    /**
     * Removes this node's reference to a relocatable volume, never its data. Refuses a
     * {@code local} volume without a {@code device} (its data would be deleted) and any volume
     * still used by a live container. Dead containers that still reference the volume are
     * removed first (without their volumes), since the engine keeps a volume "in use" for them.
     *
     * @return true if a reference was removed, false if there was none
     */
    public boolean removeVolumeReference(String name) {
        Optional<VolumeInfo> volume = volume(name);
        if (volume.isEmpty()) {
            return false;
        }
        VolumeInfo v = volume.get();
        if (!v.dataLivesOffNode()) {
            throw new NodeOperationException("refusing to remove volume " + name + ": it is a local-driver volume without a 'device' option, "
                    + "so its data lives on this node and 'docker volume rm' would delete it. Relocatable volumes must keep their data off-node "
                    + "(driver options type/o/device for a bind or NFS mount, or a shared-storage driver).");
        }
        if (!"local".equals(v.driver()) && !RelocatorLabels.isRelocatableVolume(v.labels())) {
            throw new NodeOperationException("refusing to remove volume " + name + " (driver " + v.driver() + "): it is not labelled "
                    + RelocatorLabels.RELOCATABLE + "=true or " + RelocatorLabels.MANAGED + "=true, so Relocator cannot know that removing it keeps the data");
        }
        List<LocalContainer> users = containersMounting(name);
        List<String> alive = users.stream().filter(LocalContainer::alive).map(LocalContainer::id).toList();
        if (!alive.isEmpty()) {
            throw new NodeOperationException("volume " + name + " is still mounted by live containers " + alive + "; fence them first");
        }
        for (LocalContainer dead : users) {
            try {
                docker.removeContainerCmd(dead.id()).withRemoveVolumes(false).withForce(false).exec();
            } catch (NotFoundException e) {
                // already gone
            } catch (DockerException e) {
                throw new NodeOperationException("cannot remove dead container " + dead.name() + " that still references volume " + name + ": " + e.getMessage(), e);
            }
        }
        try {
            docker.removeVolumeCmd(name).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (DockerException e) {
            throw new NodeOperationException("cannot remove the reference to volume " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes a reference the agent found stale on a returning node. Stricter than
     * {@link #removeVolumeReference}: the volume must carry Relocator's own {@link RelocatorLabels#MANAGED}
     * label (Relocator created it on this node), because nobody named this volume in a command; a
     * user's volume that merely looks relocatable stays. The data, in-use and dead-container rules
     * of {@link #removeVolumeReference} apply on top.
     *
     * @return true when a reference was removed, false when there was none
     */
    public boolean removeStaleReference(String name) {
        Optional<VolumeInfo> volume = volume(name);
        if (volume.isEmpty()) {
            return false;
        }
        if (!"true".equals(volume.get().labels().get(RelocatorLabels.MANAGED))) {
            throw new NodeOperationException("refusing to remove volume " + name + " as stale: Relocator did not create it (no "
                    + RelocatorLabels.MANAGED + "=true label); remove it yourself once you know its data is safe");
        }
        return removeVolumeReference(name);
    }

    /**
     * Creates the volume, or accepts an existing one with the same driver and options
     * (idempotent for retries). An existing reference with other settings (typically one the
     * engine auto-created from a service's mount, without nosuid/nodev) is replaced when that
     * is safe: its data lives off-node and no live container mounts it. Otherwise it is an
     * error naming what to do, and nothing changes.
     */
    public VolumeInfo createVolume(VolumeRequest request) {
        Map<String, String> options = request.effectiveOptions();
        Optional<VolumeInfo> existing = volume(request.name());
        if (existing.isPresent()) {
            VolumeInfo v = existing.get();
            if (v.driver().equals(request.driver()) && v.options().equals(options)) {
                return v;
            }
            List<String> alive = aliveIds(containersMounting(request.name()));
            if (!v.dataLivesOffNode() || !alive.isEmpty()) {
                throw new NodeOperationException("volume " + request.name() + " already exists on this node with driver " + v.driver()
                        + " and options " + v.options() + ", not " + request.driver() + " " + options
                        + (alive.isEmpty() ? "; its data lives on this node, so Relocator will not replace it: move the data to shared storage and remove it"
                        : "; live containers " + alive + " use it: stop them, then retry"));
            }
            removeVolumeReference(request.name());
        }
        Map<String, String> labels = new HashMap<>(request.labels());
        labels.putAll(RelocatorLabels.managed());
        labels.put(RelocatorLabels.RELOCATABLE, "true");
        try {
            docker.createVolumeCmd()
                    .withName(request.name())
                    .withDriver(request.driver())
                    .withDriverOpts(options)
                    .withLabels(labels)
                    .exec();
            return volume(request.name()).orElseThrow(() -> new NodeOperationException("volume " + request.name() + " vanished right after it was created"));
        } catch (DockerException e) {
            throw new NodeOperationException("cannot create volume " + request.name() + " with driver " + request.driver() + ": " + e.getMessage(), e);
        }
    }

    /**
     * What a helper container saw at the volume's root.
     *
     * @param mountFlags the per-mount options of the volume as the helper's mount shows them
     *                   ({@code rw}, {@code nosuid}, {@code nodev}, ...); empty when they could not be read
     */
    public record RootStat(int uid, int gid, int mode, Set<String> mountFlags) {
        public RootStat {
            mountFlags = mountFlags == null ? Set.of() : Set.copyOf(mountFlags);
        }

        public RootStat(int uid, int gid, int mode) {
            this(uid, gid, mode, Set.of());
        }

        /**
         * Reads the helper's output: a {@code uid gid mode} line from stat, and a {@code mount <options>}
         * line from /proc/self/mountinfo (absent on engines that hide it: then no flags).
         */
        static RootStat parse(String output) {
            Integer uid = null;
            int gid = 0;
            int mode = 0;
            Set<String> flags = Set.of();
            for (String line : output.strip().split("\\R")) {
                String l = line.strip();
                if (l.startsWith("mount ")) {
                    flags = new java.util.HashSet<>(List.of(l.substring("mount ".length()).strip().split(",")));
                } else if (l.matches("\\d+ \\d+ [0-7]+")) {
                    String[] parts = l.split(" ");
                    uid = Integer.parseInt(parts[0]);
                    gid = Integer.parseInt(parts[1]);
                    mode = Integer.parseInt(parts[2], 8);
                }
            }
            if (uid == null) {
                throw new NumberFormatException("no 'uid gid mode' line");
            }
            return new RootStat(uid, gid, mode, flags);
        }
    }

    /**
     * Prints the per-mount options of /v (field 6 of mountinfo) with shell built-ins only, so any
     * helper image with {@code sh} can run it.
     */
    static final String MOUNT_FLAGS_SCRIPT = "while read -r _ _ _ _ mp opts _; do [ \"$mp\" = /v ] && echo \"mount $opts\"; done < /proc/self/mountinfo; true";

    /**
     * Applies owner and mode to the volume's root with a short-lived helper container from a
     * local image (no registry is needed), and returns what the root looks like afterwards.
     * Mounting the volume is also the proof that this node can mount it: a wrong NFS address or
     * bind device fails here, before the workload is started. An empty {@link Ownership} only
     * mounts and reads.
     *
     * @param helperImage a local image with {@code sh}, {@code chown}, {@code chmod} and {@code stat}
     */
    public RootStat applyOwnership(String volume, Ownership ownership, String helperImage, Duration bound) {
        RelocatorLabels.requireVolumeName(volume);
        Objects.requireNonNull(ownership, "ownership");
        if (volume(volume).isEmpty()) {
            // binding a missing named volume would make the engine create a plain local one, data on this node
            throw new NodeOperationException("volume " + volume + " does not exist on this node; create it with its driver options first");
        }
        String output = runHelper(volume, ownership.script("/v") + " && { " + MOUNT_FLAGS_SCRIPT + "; }", helperImage, bound,
                "applying ownership " + ownership + " to volume " + volume,
                "; check that the storage allows chown from this node (NFS root_squash refuses it: export with no_root_squash "
                        + "or pre-create the directory with the right owner)");
        try {
            return RootStat.parse(output);
        } catch (NumberFormatException e) {
            throw new NodeOperationException("the ownership helper for volume " + volume + " printed '" + output.trim() + "', not 'uid gid mode'", e);
        }
    }

    /** Mounts the volume in a throw-away helper and reads owner and mode of its root. */
    public RootStat inspectRoot(String volume, String helperImage, Duration bound) {
        return applyOwnership(volume, new Ownership(null, null, null), helperImage, bound);
    }

    private String runHelper(String volume, String script, String helperImage, Duration bound, String what, String hint) {
        String id = null;
        try {
            CreateContainerResponse created = docker.createContainerCmd(helperImage)
                    .withEntrypoint("sh", "-c")
                    .withCmd(script)
                    .withUser("0:0")
                    .withLabels(Map.of(RelocatorLabels.MANAGED, "true", ROLE_LABEL, OWNERSHIP_HELPER))
                    .withHostConfig(HostConfig.newHostConfig()
                            .withBinds(new Bind(volume, new Volume("/v")))
                            .withNetworkMode("none"))
                    .exec();
            id = created.getId();
            docker.startContainerCmd(id).exec();
            Integer status = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback())
                    .awaitStatusCode(bound.toMillis(), TimeUnit.MILLISECONDS);
            StringBuilder out = new StringBuilder();
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(false)
                    .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
                        @Override
                        public void onNext(com.github.dockerjava.api.model.Frame frame) {
                            out.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }).awaitCompletion(bound.toMillis(), TimeUnit.MILLISECONDS);
            if (status == null || status != 0) {
                throw new NodeOperationException(what + " failed (exit " + status + ": " + out.toString().trim() + ")" + hint);
            }
            return out.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeOperationException(what + " was interrupted", e);
        } catch (NotFoundException e) {
            throw new NodeOperationException("helper image " + helperImage + " is not on this node; load it there (docker load) "
                    + "or set relocator.agent.helper-image to a local image with sh, chown, chmod and stat", e);
        } catch (DockerException e) {
            throw new NodeOperationException(what + " failed: " + e.getMessage(), e);
        } finally {
            if (id != null) {
                try {
                    docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(false).exec();
                } catch (DockerException ignored) {
                    // best effort; the container carries the managed label for cleanup
                }
            }
        }
    }

    /** Convenience for tests and the agent: ids of live containers among {@code containers}. */
    public static List<String> aliveIds(Collection<LocalContainer> containers) {
        return containers.stream().filter(LocalContainer::alive).map(LocalContainer::id).toList();
    }
}
