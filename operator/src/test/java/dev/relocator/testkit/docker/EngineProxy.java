package dev.relocator.testkit.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP front for the engine's unix socket that a test can break on purpose: cut
 * every connection ({@link #dropAll()}), refuse new ones ({@link #refuse(boolean)}), or
 * stall traffic while keeping connections open ({@link #pause(boolean)}). Real faults on a
 * real engine: only the path between the client and the daemon is disturbed.
 */
public final class EngineProxy implements AutoCloseable {

    private final Path socket;
    private final ServerSocket server;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final Set<SocketChannel> upstreams = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile boolean paused;
    private volatile boolean refusing;
    private volatile boolean closed;

    private record Path(String value) {
    }

    public EngineProxy(URI engine) throws IOException {
        if (!"unix".equals(engine.getScheme())) {
            throw new IllegalArgumentException("the fault proxy fronts a unix socket engine, got " + engine);
        }
        this.socket = new Path(engine.getPath());
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "engine-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public URI uri() {
        return URI.create("tcp://127.0.0.1:" + server.getLocalPort());
    }

    public String host() {
        return uri().toString();
    }

    /** Closes every open connection at once, as a daemon restart or a network cut would. */
    public void dropAll() {
        for (Socket s : clients) {
            closeQuietly(s);
        }
        for (SocketChannel c : upstreams) {
            closeQuietly(c);
        }
        clients.clear();
        upstreams.clear();
    }

    /** While refusing, new connections are accepted and closed at once. */
    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    /** While paused, no byte moves in either direction; connections stay open. */
    public void pause(boolean pause) {
        synchronized (gate) {
            this.paused = pause;
            gate.notifyAll();
        }
    }

    public int openConnections() {
        return clients.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            try {
                SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(socket.value()));
                clients.add(client);
                upstreams.add(upstream);
                // straight channel reads and writes: the Channels stream adapters share one lock
                // between reading and writing, which deadlocks a full-duplex pump
                InputStream fromClient = client.getInputStream();
                OutputStream toClient = client.getOutputStream();
                pump(client, upstream, "up", fromClient, null);
                pump(client, upstream, "down", null, toClient);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** Client to engine when {@code fromClient} is set, engine to client otherwise. */
    private void pump(Socket client, SocketChannel upstream, String direction, InputStream fromClient, OutputStream toClient) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            ByteBuffer bb = ByteBuffer.wrap(buf);
            try {
                while (true) {
                    int n;
                    if (fromClient != null) {
                        n = fromClient.read(buf);
                    } else {
                        bb.clear();
                        n = upstream.read(bb);
                    }
                    if (n < 0) {
                        break;
                    }
                    synchronized (gate) {
                        while (paused && !closed) {
                            gate.wait();
                        }
                    }
                    if (fromClient != null) {
                        ByteBuffer out = ByteBuffer.wrap(buf, 0, n);
                        while (out.hasRemaining()) {
                            upstream.write(out);
                        }
                    } else {
                        toClient.write(buf, 0, n);
                        toClient.flush();
                    }
                }
            } catch (IOException | InterruptedException ignored) {
                // connection cut: close both sides below
            } finally {
                closeQuietly(client);
                closeQuietly(upstream);
                clients.remove(client);
                upstreams.remove(upstream);
            }
        }, "engine-proxy-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing a broken connection
        }
    }

    @Override
    public void close() {
        closed = true;
        pause(false);
        closeQuietly(server);
        dropAll();
    }

}
