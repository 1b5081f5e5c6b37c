package io.strait.daemon;

import io.strait.replication.MirrorSettings;
import io.strait.topology.LinkId;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a reload does to the running links: the pure comparison of the links that run with those of
 * the new topology, by what each link's replicator is built from ({@link Fingerprint}). A link whose
 * fingerprint is equal is left alone: its herder, tasks and positions are not touched.
 *
 * @param added     links of the new topology that do not run: started
 * @param removed   running links the new topology does not have: stopped
 * @param changed   links of both whose settings differ: stopped, then started with the new settings
 * @param unchanged links of both with equal settings: left alone
 */
public record LinkChanges(List<LinkId> added, List<LinkId> removed, List<LinkId> changed, List<LinkId> unchanged) {

    /**
     * Everything a link's replicator is built from: its Kafka Connect worker's configuration and
     * its connectors' ({@link MirrorSettings#workerConfig}, {@link MirrorSettings#connectorConfigs}).
     * Both clusters' addresses and client settings are part of these; file positions are not.
     */
    public record Fingerprint(SortedMap<String, String> worker, Map<String, SortedMap<String, String>> connectors) {
        public static Fingerprint of(MirrorSettings settings, LinkId link) {
            return new Fingerprint(settings.workerConfig(link), settings.connectorConfigs(link));
        }
    }

    /**
     * Compares the running links with the next ones.
     *
     * @param running the fingerprint of each running link
     * @param next    the fingerprint of each link of the new topology
     * @return each list in link order ({@link LinkId}'s)
     */
    public static LinkChanges between(Map<LinkId, Fingerprint> running, Map<LinkId, Fingerprint> next) {
        List<LinkId> added = new ArrayList<>();
        List<LinkId> removed = new ArrayList<>();
        List<LinkId> changed = new ArrayList<>();
        List<LinkId> unchanged = new ArrayList<>();
        new TreeMap<>(running).forEach((id, fingerprint) -> {
            if (!next.containsKey(id)) {
                removed.add(id);
            } else if (!fingerprint.equals(next.get(id))) {
                changed.add(id);
            } else {
                unchanged.add(id);
            }
        });
        new TreeMap<>(next).keySet().stream().filter(id -> !running.containsKey(id)).forEach(added::add);
        return new LinkChanges(List.copyOf(added), List.copyOf(removed), List.copyOf(changed), List.copyOf(unchanged));
    }

    /**
     * Compares the running links with those of new settings.
     *
     * @param running the fingerprint of each running link
     * @param next    the new topology's settings
     */
    public static LinkChanges between(Map<LinkId, Fingerprint> running, MirrorSettings next) {
        Map<LinkId, Fingerprint> fingerprints = new TreeMap<>();
        next.topology().links().keySet().forEach(id -> fingerprints.put(id, Fingerprint.of(next, id)));
        return between(running, fingerprints);
    }
}
