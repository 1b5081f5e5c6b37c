package io.strait.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.strait.replication.LinkReplicator;

import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL;

/**
 * The JSON of {@code GET /status}: written by {@link StatusServer}, read by {@code strait status}.
 * Each record is one JSON object, its components the field names in order; a component marked
 * {@code NON_NULL} is left out when there is nothing to say, any other is {@code null} then.
 * Times are ISO-8601 instants in UTC ({@link java.time.Instant#toString()}). A reader ignores fields
 * it does not know, so an older {@code strait status} reads a newer daemon.
 *
 * @param topology where the running topology was read from (its file, or a description)
 * @param links    every link of the topology, in link order
 * @param reload   what reloads of the topology file have done
 */
public record StatusReport(String topology, List<Link> links, Reload reload) {

    private static final ObjectReader READER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
            .readerFor(StatusReport.class);

    /** Reads a {@code /status} body. */
    public static StatusReport parse(String json) throws JsonProcessingException {
        return READER.readValue(json);
    }

    /**
     * One link (Kafka's {@code SourceAndTarget}: one source alias to one target alias).
     *
     * @param link         {@code source->target}
     * @param state        where the link is in its life ({@link LinkReplicator.State})
     * @param since        when it entered that state
     * @param detail       why it is not running, or null
     * @param flows        the flows that produce the link; absent if it is no longer in the topology
     * @param herderStarts Kafka Connect herders started for the link (above 1: it was rebuilt)
     * @param taskStarts   tasks of the link started on this instance (a restart counts again)
     * @param events       notable things that happened to the link, newest last
     * @param problems     what keeps the link from doing its whole job (DEGRADED)
     * @param connectors   Kafka Connect's view of the link's connectors and their tasks
     * @param topics       per source topic, its name on the target, lag and losses; absent before the
     *                     first lag sample, like {@code lag}, {@code lostAtSource} and {@code lagSampledAt}
     * @param lag          records on the source not yet replicated, all topics
     * @param lostAtSource records removed at the source before the link copied them, all topics
     * @param lagSampledAt when the lag was sampled (every 10 s)
     * @param lagError     why the last sample failed (the figures are then the previous ones); absent when it worked
     * @param groups       the link's consumer groups (failover); absent when it checkpoints none
     */
    public record Link(String link, LinkReplicator.State state, String since, String detail,
                       @JsonInclude(NON_NULL) SortedSet<String> flows, int herderStarts, long taskStarts,
                       List<String> events, List<Problem> problems, List<Connector> connectors,
                       @JsonInclude(NON_NULL) List<Topic> topics, @JsonInclude(NON_NULL) Long lag,
                       @JsonInclude(NON_NULL) Long lostAtSource, @JsonInclude(NON_NULL) String lagSampledAt,
                       @JsonInclude(NON_NULL) String lagError, @JsonInclude(NON_NULL) Groups groups) {
    }

    /**
     * One finding that keeps a running link from doing its whole job ({@code LinkHealthCheck.Problem}).
     *
     * @param reason  the metric label {@code strait_link_degraded{reason}}, e.g. {@code target_partitions}
     * @param subject what it is about: a target topic, a topic's config, or a connector
     * @param message one human sentence
     * @param since   when it was first seen
     */
    public record Problem(String reason, String subject, String message, String since) {
    }

    /**
     * A connector as Kafka Connect reports it ({@code ConnectorStateInfo}).
     *
     * @param state  Connect's connector state: RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED, RESTARTING
     * @param worker the worker it runs on ({@code host:port})
     */
    public record Connector(String name, String state, String worker, List<Task> tasks) {
    }

    /**
     * A connector's task as Kafka Connect reports it.
     *
     * @param state Connect's task state (as for a connector)
     * @param error the first line of its failure trace; absent when it has none
     */
    public record Task(int id, String state, String worker, @JsonInclude(NON_NULL) String error) {
    }

    /**
     * One replicated source topic of a link, as of the last lag sample.
     *
     * @param target            its name on the target by the link's replication policy
     * @param partitions        source partitions with a committed position
     * @param lag               records not yet replicated
     * @param lostAtSource      records removed at the source before they were copied (counted, never silent)
     * @param recreatedAtSource times this instance found it deleted and created again at the source
     */
    public record Topic(String topic, String target, long partitions, long lag, long lostAtSource,
                        long recreatedAtSource) {
    }

    /**
     * The link's consumer groups as its checkpointer last saw them ({@code GroupCheckpointer.Status}).
     *
     * @param lastRound          when it last read them, or null before the first round
     * @param error              why the last round failed, or null
     * @param checkpointsWritten Strait's group checkpoints written on the target
     * @param offsetsSynced      group offsets moved on the target
     */
    public record Groups(String lastRound, String error, long checkpointsWritten, long offsetsSynced,
                         List<Group> groups) {
    }

    /**
     * One consumer group's standing on the target ({@code GroupCheckpointer.GroupStatus}).
     *
     * @param mm2CheckpointAgeSeconds age of its oldest latest MirrorMaker 2 checkpoint, or null when it has none
     * @param mm2Trail                records MirrorMaker 2's translation is behind Strait's
     * @param reread                  records it would read again with its offsets on the target now
     * @param missed                  records it would skip with its offsets on the target now
     * @param partitions              its partitions
     * @param notSynced               its partitions not in sync, by status ({@code FailoverPlanner.Status}, e.g. STALE)
     * @param checkpointed            its partitions with a Strait checkpoint
     */
    public record Group(String group, Long mm2CheckpointAgeSeconds, long mm2Trail, long reread, long missed,
                        int partitions, SortedMap<String, Integer> notSynced, int checkpointed) {
    }

    /**
     * What reloads of the topology file have done.
     *
     * @param applied    reloads applied
     * @param refused    reloads refused (invalid file) or failed
     * @param lastAt     when the last one was tried, or null
     * @param lastErrors why the last one was refused, each with file and line; empty when it was applied
     */
    public record Reload(long applied, long refused, String lastAt, List<String> lastErrors) {
    }
}
