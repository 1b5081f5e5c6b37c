package io.strait.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.strait.failover.FailoverPlanner;
import io.strait.failover.FailoverPlanner.Report;
import io.strait.failover.FailoverPlanner.Row;
import io.strait.failover.OffsetMap;
import org.apache.kafka.common.TopicPartition;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Prints failover reports ({@code offsets}, {@code failover}, {@code failback}) as a table or as JSON. */
final class GroupReports {

    private GroupReports() {
    }

    static void printText(PrintWriter out, Report report, Map<TopicPartition, Long> set, boolean applied) {
        Instant now = Instant.now();
        out.printf("Group %s on %s: %s; on the target: %s, %d member%s%n", report.group(), report.link(),
                report.sourceReachable() ? "source reachable" : "SOURCE UNREACHABLE", report.targetState(),
                report.targetMembers(), report.targetMembers() == 1 ? "" : "s");
        boolean disaster = !report.sourceReachable();
        boolean atRisk = disaster || report.rows().stream().anyMatch(r -> r.atRisk() > 0);
        boolean planning = set != null;
        out.printf("%-34s %4s %11s %11s %6s %11s %9s %11s %-16s %8s %8s%s%s%n", "SOURCE -> TARGET", "PART",
                disaster ? "LAST-COMMIT" : "COMMITTED", "MM2", "AGE", "STRAIT", "EXACT", "ON-TARGET", "STATUS",
                "RE-READ", "MISSED", atRisk ? String.format(" %8s", "AT-RISK") : "",
                planning ? String.format(" %11s", applied ? "SET" : "WOULD-SET") : "");
        for (Row row : report.rows()) {
            if (row.partition() < 0) {
                out.printf("%-34s %4s %11s %11s %6s %11s %9s %11s %-16s %8s %8s%n", "-", "-", "-", "-", "-", "-", "-",
                        "-", row.status(), "-", "-");
                continue;
            }
            String exact = row.translation().map(t -> t.exact() ? "yes" : "+-" + t.uncertainty()).orElse("-");
            out.printf("%-34s %4d %11s %11s %6s %11s %9s %11s %-16s %8d %8d%s%s%n",
                    abbreviate(row.sourceTopic() + " -> " + row.targetTopic(), 34), row.partition(),
                    text(row.committed()) + row.committedAt().map(at -> "").orElse(""), text(row.mm2()),
                    row.mm2At().map(at -> FailoverPlanner.age(at, now)).orElse("-"),
                    row.translation().map(t -> Long.toString(t.offset())).orElse("-"), exact,
                    text(row.onTarget()), row.status(), row.reread(), row.missed(),
                    atRisk ? String.format(" %8d", row.atRisk()) : "",
                    planning ? String.format(" %11s", set.containsKey(row.target())
                            ? Long.toString(set.get(row.target())) : "-") : "");
        }
        summary(out, report, set, applied);
        report.notes().forEach(note -> out.println("  note: " + note));
        out.println();
        out.flush();
    }

    private static void summary(PrintWriter out, Report report, Map<TopicPartition, Long> set, boolean applied) {
        if (report.rows().stream().allMatch(r -> r.partition() < 0)) {
            return;
        }
        long mm2Reread = 0;
        long mm2Missed = 0;
        boolean mm2Known = true;
        long duplicates = 0;
        long uncertainty = 0;
        long behind = 0;
        for (Row row : report.rows()) {
            OptionalLong diff = row.mm2Reread();
            if (diff.isPresent()) {
                mm2Reread += Math.max(0, diff.getAsLong());
                mm2Missed += Math.max(0, -diff.getAsLong());
            } else if (row.partition() >= 0) {
                mm2Known = false;
            }
            duplicates += row.translation().map(OffsetMap.Translation::duplicates).orElse(0L);
            uncertainty += row.translation().filter(t -> !t.exact()).map(OffsetMap.Translation::uncertainty).orElse(0L);
            behind += row.behind();
        }
        out.printf("  with the group's offsets on the target now: %s read again, %d missed%n",
                Plural.count(report.reread(), "record"), report.missed());
        out.printf("  with MirrorMaker 2's checkpoints: %s%n", mm2Known
                ? Plural.count(mm2Reread, "record") + " read again, " + mm2Missed + " missed"
                : "some partitions have no checkpoint");
        out.printf("  with Strait's translation: %s%s%s%n",
                uncertainty == 0 ? "0 records read again, 0 missed" : "0 missed, at most " + Plural.count(uncertainty, "record")
                        + " read again (positions recorded while the source was reachable, or a run of the"
                        + " map that is not one-to-one)",
                duplicates == 0 ? "" : "; " + Plural.count(duplicates, "record") + " after the position " + (duplicates == 1 ? "was" : "were") + " copied twice (a restart"
                        + " of the link) and are read twice",
                behind == 0 ? "" : "; " + Plural.count(behind, "record") + " the group consumed on the source "
                        + (behind == 1 ? "was" : "were") + " not on the target yet: read again when the link copies "
                        + (behind == 1 ? "it" : "them"));
        if (!report.sourceReachable()) {
            long atRisk = report.rows().stream().mapToLong(Row::atRisk).sum();
            out.printf("  records at risk: %d (the link's lag when the source was last read%s); any the source took"
                    + " after that are not on the target either%n", atRisk,
                    report.lastRound().map(at -> ", " + at).orElse(""));
        }
        if (set != null) {
            out.printf("  %s %d partition%s%s%n", applied ? "set" : "--apply would set", set.size(),
                    set.size() == 1 ? "" : "s", set.isEmpty() ? "" : " to Strait's translation");
        }
    }

    static void printJson(PrintWriter out, List<Map<String, Object>> reports) {
        try {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(reports));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    static Map<String, Object> json(Report report, Map<TopicPartition, Long> set, boolean applied) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("link", report.link());
        json.put("group", report.group());
        json.put("sourceReachable", report.sourceReachable());
        json.put("targetState", report.targetState());
        json.put("targetMembers", report.targetMembers());
        report.lastRound().ifPresent(at -> json.put("lastRound", at.toString()));
        List<Map<String, Object>> partitions = new ArrayList<>();
        for (Row row : report.rows()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("sourceTopic", row.sourceTopic());
            p.put("targetTopic", row.targetTopic());
            p.put("partition", row.partition());
            put(p, "committed", row.committed());
            row.committedAt().ifPresent(at -> p.put("committedAt", at.toString()));
            put(p, "mm2Offset", row.mm2());
            put(p, "mm2Upstream", row.mm2Upstream());
            row.mm2At().ifPresent(at -> p.put("mm2At", at.toString()));
            row.translation().ifPresent(t -> {
                p.put("straitOffset", t.offset());
                p.put("exact", t.exact());
                p.put("uncertainty", t.uncertainty());
                p.put("duplicates", t.duplicates());
                p.put("basis", t.basis());
            });
            put(p, "targetOffset", row.onTarget());
            p.put("targetStart", row.targetStart());
            p.put("targetEnd", row.targetEnd());
            p.put("status", row.status().toString());
            p.put("reread", row.reread());
            p.put("missed", row.missed());
            p.put("behind", row.behind());
            if (!report.sourceReachable() || row.atRisk() > 0) {
                p.put("atRisk", row.atRisk());
            }
            if (set != null && set.containsKey(row.target())) {
                p.put(applied ? "set" : "wouldSet", set.get(row.target()));
            }
            partitions.add(p);
        }
        json.put("partitions", partitions);
        json.put("notes", report.notes());
        return json;
    }

    private static void put(Map<String, Object> json, String key, OptionalLong value) {
        if (value.isPresent()) {
            json.put(key, value.getAsLong());
        }
    }

    private static String text(OptionalLong value) {
        return value.isPresent() ? Long.toString(value.getAsLong()) : "-";
    }

    private static String abbreviate(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "~";
    }
}
