import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Lobby } from './lobby.ts';

/** Prometheus metrics of one relay server (its own registry, so tests can run several). */
export class RelayMetrics {
  readonly registry = new Registry();
  readonly lobbies = new Gauge({
    name: 'aikon_relay_lobbies',
    help: 'Open lobbies',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly players = new Gauge({
    name: 'aikon_relay_players',
    help: 'Lobby members (all lobbies)',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly sockets = new Gauge({ name: 'aikon_relay_sockets', help: 'Connected sockets', registers: [this.registry] });
  readonly tickDuration = new Histogram({
    name: 'aikon_relay_tick_duration_seconds',
    help: 'Duration of one lobby tick: step, recording, delta building and emitting',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly ticks = new Counter({
    name: 'aikon_relay_ticks_total',
    help: 'Lobby ticks run',
    registers: [this.registry],
  });
  readonly bytesSent = new Counter({
    name: 'aikon_relay_bytes_sent_total',
    help: 'Bytes sent to clients (engine.io packet payloads)',
    registers: [this.registry],
  });
  readonly bytesReceived = new Counter({
    name: 'aikon_relay_bytes_received_total',
    help: 'Bytes received from clients',
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: 'aikon_relay_events_total',
    help: 'Client events accepted',
    labelNames: ['event'],
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'aikon_relay_events_rejected_total',
    help: 'Client events refused, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly recordBytes = new Counter({
    name: 'aikon_relay_recording_bytes_total',
    help: 'Bytes appended to session logs',
    registers: [this.registry],
  });
  readonly recordErrors = new Counter({
    name: 'aikon_relay_recording_errors_total',
    help: 'Failed log writes or fsyncs',
    registers: [this.registry],
  });

  // Several relay processes on Redis (cluster.ts); every series carries this process's `relay` id.
  readonly forwarded = new Counter({
    name: 'aikon_relay_forwarded_events_total',
    help:
      "Client events forwarded between relay processes: 'out' to a " +
      "lobby's owner, 'in' handled here for a member on another process",
    labelNames: ['direction'],
    registers: [this.registry],
  });
  readonly takeovers = new Counter({
    name: 'aikon_relay_lobby_takeovers_total',
    help: 'Lobbies this process brought back after their owner process was gone',
    registers: [this.registry],
  });

  // The workforce brain thread (workforce-brain.ts).
  readonly workforceThink = new Histogram({
    name: 'aikon_relay_workforce_think_seconds',
    help: "The scripted workforce's thinking per lobby tick, in the brain thread (off the tick loop)",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly workforceLate = new Counter({
    name: 'aikon_relay_workforce_late_actions_total',
    help: 'AI worker actions that were noop because the brain had not decided by the tick',
    registers: [this.registry],
  });

  // Peer dream shards (peer-signalling.ts). Steps, bytes and fail-overs are reported by the
  // clients (the data channel is peer to peer): counts members sent, bounded per report.
  readonly peerShards = new Gauge({
    name: 'aikon_relay_peer_shards',
    help: 'Lobby members offering to serve dreams to their lobby now',
    registers: [this.registry],
  });
  readonly peerConnected = new Gauge({
    name: 'aikon_relay_peer_signalling_connected',
    help: 'Peers connected to the PeerJS signalling server',
    registers: [this.registry],
  });
  readonly peerStepsServed = new Counter({
    name: 'aikon_relay_peer_steps_served_total',
    help: 'Dream steps served peer to peer (reported by the serving members)',
    registers: [this.registry],
  });
  readonly peerBytesServed = new Counter({
    name: 'aikon_relay_peer_bytes_served_total',
    help: 'Dream protocol bytes served peer to peer (reported by the serving members)',
    registers: [this.registry],
  });
  readonly peerFailovers = new Counter({
    name: 'aikon_relay_peer_failovers_total',
    help: 'Dreams moved to another shard after a peer left, closed or answered garbage (reported by the dreamers)',
    registers: [this.registry],
  });
  readonly peerRefused = new Counter({
    name: 'aikon_relay_peer_refused_total',
    help: 'PeerJS connections refused (no live token) and signalling messages dropped (from another lobby)',
    registers: [this.registry],
  });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'aikon_relay_' });
  }

  /** Sets the lobby, player and socket gauges from the open lobbies (before each scrape). */
  observe(lobbies: Iterable<Lobby>, sockets: number): void {
    this.lobbies.reset();
    this.players.reset();
    let waiting = 0;
    let running = 0;
    let connected = 0;
    let away = 0;
    for (const l of lobbies) {
      if (l.status === 'running') running++;
      else waiting++;
      for (const m of l.members.values()) {
        if (m.socket) connected++;
        else away++;
      }
    }
    this.lobbies.set({ status: 'waiting' }, waiting);
    this.lobbies.set({ status: 'running' }, running);
    this.players.set({ state: 'connected' }, connected);
    this.players.set({ state: 'disconnected' }, away);
    this.sockets.set(sockets);
  }
}
