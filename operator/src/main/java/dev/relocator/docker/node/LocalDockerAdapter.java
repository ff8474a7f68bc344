package dev.relocator.docker.node;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.ports.LocalDocker;
import dev.relocator.docker.swarm.RelocatorLabels;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The core agent's {@link LocalDocker} port. The agent calls {@link #containersMounting} and
 * {@link #kill} on every tick, so those go through a client with a short response timeout
 * ({@code fast}): a hung engine must not freeze the lease loop; one listing answers for all the
 * node's volumes. Prepare and verify run helper containers for seconds with the ordinary client
 * ({@code slow}), on a small pool of their own ({@link #prepareAndVerify}): the loop thread also
 * sends the heartbeats, and 25 volumes arriving at once once starved them until the lease lapsed.
 *
 * <p>Failures reaching the engine become {@link DockerUnavailableException} (the agent then
 * reports "unknown", never "zero writers"); refusals with a reason (for example removing a
 * volume whose data lives on the node) stay {@link NodeOperationException}.
 */
public final class LocalDockerAdapter implements LocalDocker {

    private final DockerClient fastClient;
    private final LocalNodeOperations fast;
    private final LocalNodeOperations slow;
    private final String helperImage;
    private final Duration helperBound;
    private final java.util.Map<String, List<String>> warned = new java.util.concurrent.ConcurrentHashMap<>();
    /** Storages whose mount flags a helper has read on this node ({@link #flagsSource}). */
    private final java.util.Set<String> flagsChecked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Volume operations (a prepare, a reference removal) running or finished but not yet collected, by volume. */
    private final java.util.Map<String, Job> jobs = new java.util.concurrent.ConcurrentHashMap<>();
    private final ExecutorService preparePool;

    /** What runs for a volume: a {@link VolumeSpec} for a prepare, {@code REMOVE} or {@code REMOVE_STALE}. */
    private record Job(Object what, CompletableFuture<Boolean> result) {
        boolean prepare() {
            return what instanceof VolumeSpec;
        }
    }

    private static final String REMOVE = "remove";
    private static final String REMOVE_STALE = "remove-stale";
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(LocalDockerAdapter.class);

    public LocalDockerAdapter(DockerClient fastClient, LocalNodeOperations fast, LocalNodeOperations slow,
                              String helperImage, Duration helperBound) {
        this(fastClient, fast, slow, helperImage, helperBound, DEFAULT_PREPARE_THREADS);
    }

    /** Prepares of different volumes run in parallel, up to this many (each runs one or two helper containers). */
    public static final int DEFAULT_PREPARE_THREADS = 4;

    public LocalDockerAdapter(DockerClient fastClient, LocalNodeOperations fast, LocalNodeOperations slow,
                              String helperImage, Duration helperBound, int prepareThreads) {
        if (prepareThreads < 1) {
            throw new IllegalArgumentException("prepare threads must be >= 1, got " + prepareThreads);
        }
        AtomicInteger n = new AtomicInteger();
        this.preparePool = Executors.newFixedThreadPool(prepareThreads, r -> {
            Thread t = new Thread(r, "relocator-prepare-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.fastClient = Objects.requireNonNull(fastClient, "fastClient");
        this.fast = Objects.requireNonNull(fast, "fast");
        this.slow = Objects.requireNonNull(slow, "slow");
        this.helperImage = Objects.requireNonNull(helperImage, "helperImage");
        this.helperBound = Objects.requireNonNull(helperBound, "helperBound");
    }

    @Override
    public List<String> containersMounting(String volume) {
        return containersMounting(List.of(volume)).get(volume);
    }

    /**
     * One listing of the live containers for all {@code volumes}. The helper container of a prepare this adapter
     * is running (or has not handed in) is left out: it mounts a volume not granted here yet, and the agent would
     * kill it. Only this adapter's own in-flight prepare of that very volume is exempt, and only containers with
     * the helper's label; anything else mounting the volume is reported.
     */
    @Override
    public Map<String, List<String>> containersMounting(java.util.Collection<String> volumes) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        volumes.forEach(v -> out.put(v, new java.util.ArrayList<>()));
        if (out.isEmpty()) {
            return out;
        }
        List<LocalContainer> live = engine(() -> fast.liveContainersMountingAny(out.keySet()));
        for (LocalContainer c : live) {
            boolean helper = LocalNodeOperations.OWNERSHIP_HELPER.equals(c.labels().get(LocalNodeOperations.ROLE_LABEL));
            for (String v : c.volumes()) {
                List<String> ids = out.get(v);
                Job job = jobs.get(v);
                if (ids != null && !(helper && job != null && job.prepare())) {
                    ids.add(c.id());
                }
            }
        }
        return out;
    }

    @Override
    public Optional<Boolean> prepareAndVerify(VolumeSpec spec) {
        return run(spec.volumeName(), spec, () -> {
            prepare(spec);
            return verify(spec);
        });
    }

    /** Off the loop too: a removal lists and removes dead containers, then the volume, with the ordinary client. */
    @Override
    public boolean removeReference(String volume, boolean stale) {
        return run(volume, stale ? REMOVE_STALE : REMOVE, () -> {
            if (stale) {
                removeStaleReference(volume);
            } else {
                removeVolumeReference(volume);
            }
            return true;
        }).isPresent();
    }

    /**
     * Starts {@code op} for the volume, or reports on the one started for the same {@code what}: empty while it
     * runs, then its result once (its exception, thrown here). One operation per volume at a time: another
     * one's running job makes this call wait (empty); another one's finished job is dropped uncollected, its
     * caller having moved on.
     */
    private Optional<Boolean> run(String volume, Object what, Supplier<Boolean> op) {
        Job job = jobs.get(volume);
        if (job != null && !job.result().isDone()) {
            return Optional.empty();
        }
        if (job != null) {
            jobs.remove(volume, job);
            if (job.what().equals(what)) {
                try {
                    return Optional.of(job.result().join());
                } catch (java.util.concurrent.CompletionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
        }
        jobs.put(volume, new Job(what, CompletableFuture.supplyAsync(op, preparePool)));
        return Optional.empty();
    }

    /**
     * Stops taking prepares. A running one is not interrupted: an interrupted engine call can leave its helper
     * container behind half-created; it ends within its own bound (the threads are daemons).
     */
    public void close() {
        preparePool.shutdown();
    }

    @Override
    public void kill(String containerId) {
        engine(() -> {
            try {
                fastClient.killContainerCmd(containerId).withSignal("KILL").exec();
            } catch (NotFoundException | ConflictException e) {
                // gone, or not running: the kill's goal holds
            }
            return null;
        });
    }

    @Override
    public boolean volumePresent(String volume) {
        return engine(() -> fast.volume(volume).isPresent());
    }

    @Override
    public void removeVolumeReference(String volume) {
        engine(() -> slow.removeVolumeReference(volume));
    }

    @Override
    public List<LocalVolume> relocatableVolumes() {
        return engine(() -> fast.volumes().stream()
                .filter(v -> RelocatorLabels.isRelocatableVolume(v.labels()))
                .map(v -> new LocalVolume(v.name(), "true".equals(v.labels().get(RelocatorLabels.MANAGED)), v.dataLivesOffNode()))
                .toList());
    }

    @Override
    public void removeStaleReference(String volume) {
        engine(() -> slow.removeStaleReference(volume));
    }

    @Override
    public void prepare(VolumeSpec spec) {
        engine(() -> {
            slow.createVolume(request(spec));
            Ownership ownership = ownership(spec);
            if (!ownership.isEmpty()) {
                slow.applyOwnership(spec.volumeName(), ownership, helperImage, helperBound);
            }
            return null;
        });
    }

    @Override
    public boolean verify(VolumeSpec spec) {
        return engine(() -> {
            VolumeRequest request = request(spec);
            var existing = slow.volume(spec.volumeName());
            if (existing.isEmpty() || !existing.get().driver().equals(request.driver())
                    || !existing.get().options().equals(request.effectiveOptions())) {
                return false;
            }
            boolean engineFlags = MountOptions.appliedByEngine(request.driver(), request.options());
            String flagsKey = flagsSource(request);
            if (ownership(spec).isEmpty() && !engineFlags
                    && (!(request.nosuid() || request.nodev()) || flagsChecked.contains(flagsKey))) {
                // Nothing the helper could see changes this verdict: no ownership asked, and the flags of a bind or
                // a plugin's mount come from its storage, which only the advisory below depends on. That was read
                // once for this storage on this node; a helper container per move would add a second or more to
                // every relocation (tens of seconds to a mass failover).
                return true;
            }
            LocalNodeOperations.RootStat root = slow.inspectRoot(spec.volumeName(), helperImage, helperBound);
            if (!ownership(spec).matches(root.uid(), root.gid(), root.mode())) {
                return false;
            }
            boolean hold = mountFlagsHold(spec, request, root);
            if (!engineFlags) {
                flagsChecked.add(flagsKey);
            }
            return hold;
        });
    }

    /**
     * Where a volume's mount flags come from when the engine does not apply them: the directory holding a bind's
     * device (its siblings are, in practice, on the same storage mount), or the plugin driver.
     */
    static String flagsSource(VolumeRequest request) {
        String device = request.options().get("device");
        if (device == null || device.isBlank()) {
            return "driver:" + request.driver();
        }
        java.nio.file.Path parent = java.nio.file.Path.of(device).getParent();
        return request.driver() + ":" + (parent == null ? device : parent.toString());
    }

    /**
     * The requested nosuid/nodev as the mount really has them. Where the engine applies them itself
     * (a file-system mount) a missing flag fails the verify; on a bind it comes from the device's own
     * mount, which Relocator cannot change: that is logged once per volume and change, with the fix,
     * and does not block the move (docs/chaos.md, "Day-2 operations"). For a bind, a helper reads it once
     * per storage directory and node ({@link #verify}).
     */
    private boolean mountFlagsHold(VolumeSpec spec, VolumeRequest request, LocalNodeOperations.RootStat root) {
        if (root.mountFlags().isEmpty()) {
            return true; // the helper could not read mountinfo: the options check above is all there is
        }
        List<String> missing = MountOptions.missing(root.mountFlags(), request.nosuid(), request.nodev());
        if (missing.isEmpty()) {
            warned.remove(spec.volumeName());
            return true;
        }
        if (MountOptions.appliedByEngine(request.driver(), request.options())) {
            return false;
        }
        if (!missing.equals(warned.put(spec.volumeName(), missing))) {
            LOG.warnf("volume %s is mounted without %s although the resource asks for it: Docker's local driver cannot add "
                    + "nosuid/nodev to a bind of %s, which keeps the flags of its own mount. Mount that storage with "
                    + "nosuid,nodev on every node (fstab), or use a file-system mount (type=nfs, o=...,nosuid,nodev)",
                    spec.volumeName(), String.join(",", missing), request.options().get("device"));
        }
        return true;
    }

    static VolumeRequest request(VolumeSpec spec) {
        return new VolumeRequest(spec.volumeName(), spec.driver(), spec.driverOptions(),
                Map.of(RelocatorLabels.VOLUME, spec.name()), spec.mountOptions().nosuid(), spec.mountOptions().nodev());
    }

    static Ownership ownership(VolumeSpec spec) {
        VolumeSpec.Ownership o = spec.ownership();
        String mode = o.mode() == null ? null : (o.mode().length() > 4 ? o.mode().substring(o.mode().length() - 4) : o.mode());
        return new Ownership(o.uid(), o.gid(), mode);
    }

    private static <T> T engine(Supplier<T> call) {
        try {
            return call.get();
        } catch (NodeOperationException e) {
            if (e.getCause() instanceof DockerException || isTransport(e.getCause())) {
                throw unavailable(e);
            }
            throw e;
        } catch (DockerException e) {
            throw unavailable(e);
        } catch (RuntimeException e) {
            if (isTransport(e)) {
                throw unavailable(e);
            }
            throw e;
        }
    }

    /** docker-java wraps socket errors (refused, timed out, reset) in plain runtime exceptions. */
    private static boolean isTransport(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    private static DockerUnavailableException unavailable(Throwable e) {
        DockerUnavailableException u = new DockerUnavailableException(e.getMessage());
        u.initCause(e);
        return u;
    }
}
