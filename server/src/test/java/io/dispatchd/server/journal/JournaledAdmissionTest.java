package io.dispatchd.server.journal;

import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.config.FsyncPolicy;
import io.dispatchd.server.executor.BoundedJobExecutor;
import io.dispatchd.server.executor.DrainReport;
import io.dispatchd.server.executor.Job;
import io.dispatchd.server.executor.JobIds;
import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.executor.RecordingTicket;
import io.dispatchd.server.journal.JournalStore.Recovered;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.dispatchd.server.metrics.Scrape;
import io.dispatchd.server.service.Engine;
import io.dispatchd.server.service.FailingService;
import io.dispatchd.server.service.Service;
import io.dispatchd.server.service.ServiceContext;
import io.dispatchd.server.service.ServiceRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link JournaledAdmission} over a real {@link BoundedJobExecutor} and a journal in a temporary
 * directory. A crash is simulated two ways: a copy of the segment files taken while the journal
 * runs (what the OS holds at {@code kill -9}), or a drain with deadline 0 that keeps every
 * unfinished job, then close, then a fresh admission on the same directory.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class JournaledAdmissionTest {

    private static final int HEADER = SegmentFiles.HEADER_SIZE;
    private static final long BIG = 1 << 20;
    private static final ServiceContext CONTEXT = () -> new Engine(0, Duration.ZERO);

    @TempDir
    Path dir;

    @TempDir
    Path scratch;

    private final List<Node> nodes = new ArrayList<>();
    private int copies;

    @AfterEach
    void closeEveryNode() {
        for (Node n : nodes) {
            n.gate.open();
            n.hold.releaseAll();
            n.close();
        }
    }

    // ------------------------------------------------------------------ the request path

    @Test
    void aBatchedOfferIsWrittenAndAdmittedOnlyWhenItsAfterBatchTaskRunsAndThenTheJobsRun() throws Exception {
        Node n = start(settings(dir, FsyncPolicy.EVERYSEC), 2, 10);
        List<Runnable> afterBatch = new ArrayList<>();
        RecordingTicket t1 = new RecordingTicket();
        RecordingTicket t2 = new RecordingTicket();
        Job one = n.job("quick", "one");
        Job two = n.job("quick", "two");

        n.journal.offer(one, t1, afterBatch::add);
        n.journal.offer(two, t2, afterBatch::add);

        assertThat(afterBatch).as("one task for the whole pass").hasSize(1);
        assertThat(t1.heard).isEmpty();
        assertThat(t2.heard).isEmpty();
        assertThat(Files.size(SegmentFiles.path(dir, 1))).as("nothing written before the pass ends").isEqualTo(HEADER);
        assertThat(n.quick.ran).isEmpty();

        afterBatch.get(0).run();

        assertThat(t1.heard).contains("admitted");
        assertThat(t2.heard).contains("admitted");
        assertThat(records(copyOfJournal())).as("both records reached the file, in order, before the acks")
                .startsWith(admitted(one), admitted(two));
        assertThat(afterBatch).as("at most the workers' wake-up, one more task after the acks (none if a worker"
                + " is still awake)").hasSizeLessThanOrEqualTo(2);
        for (int i = 1; i < afterBatch.size(); i++) {
            afterBatch.get(i).run(); // as the event loop runs a task its task scheduled
        }
        assertThat(t1.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
        assertThat(t2.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
        assertThat(n.quick.ran).containsExactlyInAnyOrder("one", "two");
    }

    @Test
    void withFsyncAlwaysAWholePassSharesOneFsync() throws Exception {
        Node n = start(settings(dir, FsyncPolicy.ALWAYS), 1, 10);
        List<Runnable> afterBatch = new ArrayList<>();
        List<RecordingTicket> tickets = new ArrayList<>();
        double before = fsyncs(n);
        for (int i = 0; i < 5; i++) {
            RecordingTicket t = new RecordingTicket();
            tickets.add(t);
            n.journal.offer(n.job("gate", "g" + i), t, afterBatch::add); // gated: no completion writes meanwhile
        }
        assertThat(fsyncs(n)).isEqualTo(before);

        afterBatch.get(0).run();

        assertThat(tickets).allSatisfy(t -> assertThat(t.heard).containsExactly("admitted"));
        assertThat(fsyncs(n) - before).as("one fsync for five requests").isEqualTo(1);
    }

    @Test
    void withFsyncEverysecTheSyncThreadFsyncsWithinAboutASecondWithoutAnyRequest() throws Exception {
        Node n = start(settings(dir, FsyncPolicy.EVERYSEC), 1, 10);
        RecordingTicket t = new RecordingTicket();
        n.journal.offer(n.job("gate", "g"), t);
        assertThat(t.heard).containsExactly("admitted");

        await().atMost(Duration.ofSeconds(5)).until(() -> fsyncs(n) >= 1);
    }

    // ------------------------------------------------------------------ recovery

    @Test
    void jobsAckedBeforeACrashRunAgainWithTheirAttemptOneHigherAndNewIdsContinueAboveThem() throws Exception {
        Node a = start(settings(dir, FsyncPolicy.EVERYSEC), 1, 10);
        Job stuck = a.job("gate", "stuck");
        Job queued1 = a.job("quick", "queued-1");
        Job queued2 = a.job("quick", "queued-2");
        RecordingTicket t = new RecordingTicket();
        a.journal.offer(stuck, t);
        await().until(() -> a.gate.started.contains("stuck"));
        offerAdmitted(a, queued1);
        offerAdmitted(a, queued2);
        assertThat(t.heard).containsExactly("admitted");
        assertThat(a.quick.ran).as("both wait behind the stuck job on the only worker").isEmpty();

        Path crashed = copyOfJournal(); // what the OS holds if the process dies now
        try (CapturedLog log = new CapturedLog(JournaledAdmission.class)) {
            Node b = start(settings(crashed, FsyncPolicy.EVERYSEC), 1, 10, true);
            await().until(() -> b.gate.ran.size() == 1 && b.quick.ran.size() == 2);
            assertThat(b.gate.ran).containsExactly("stuck");
            assertThat(b.quick.ran).containsExactlyInAnyOrder("queued-1", "queued-2");
            assertThat(recovered(b)).isEqualTo(3);
            assertThat(log.lines()).anyMatch(l -> l.startsWith("INFO journal " + crashed
                    + ": 3 jobs admitted and not completed"));
            assertThat(b.ids.next()).as("ids continue above the recovered ones").isGreaterThan(queued2.id());
            drainAndClose(b, Duration.ofSeconds(5));
        }
        assertThat(records(readClosed(crashed))).as("written again with attempt 2")
                .contains(admitted(stuck.nextAttempt()), admitted(queued1.nextAttempt()), admitted(queued2.nextAttempt()));
        Node c = start(settings(crashed, FsyncPolicy.EVERYSEC), 1, 10, true);
        assertThat(recovered(c)).as("all three completed in the second run").isZero();
    }

    @Test
    void aDrainDeadlineKeepsEveryUnfinishedJobAndTheNextStartRunsEachExactlyOnce() throws Exception {
        Node a = start(settings(dir, FsyncPolicy.EVERYSEC), 1, 10);
        Job running = a.job("gate", "running");
        offerAdmitted(a, running);
        await().until(() -> a.gate.started.contains("running"));
        Job waiting1 = a.job("gate", "waiting-1");
        Job waiting2 = a.job("quick", "waiting-2");
        offerAdmitted(a, waiting1);
        offerAdmitted(a, waiting2);

        DrainReport report = a.journal.drain(Duration.ZERO);
        a.close();

        assertThat(report.fate()).isEqualTo(JournaledAdmission.KEPT);
        assertThat(report.cutOff()).containsExactlyInAnyOrder(new DrainReport.CutOff(running, true),
                new DrainReport.CutOff(waiting1, false), new DrainReport.CutOff(waiting2, false));
        try (CapturedLog log = new CapturedLog(JournaledAdmission.class)) {
            Node b = start(settings(dir, FsyncPolicy.EVERYSEC), 2, 10, true);
            assertThat(log.lines()).anyMatch(l -> l.startsWith("INFO journal " + dir + ": 3 jobs admitted and not completed"));
            await().until(() -> b.gate.ran.size() == 2 && b.quick.ran.size() == 1);
            drainAndClose(b, Duration.ofSeconds(5));
            assertThat(b.gate.ran).containsExactlyInAnyOrder("running", "waiting-1");
            assertThat(b.quick.ran).containsExactly("waiting-2");
        }
    }

    @Test
    void completedAndFailedJobsDoNotComeBackEvenWithoutACleanStop() throws Exception {
        Node a = start(settings(dir, FsyncPolicy.EVERYSEC), 2, 10);
        List<Job> jobs = List.of(a.job("quick", "q1"), a.job("quick", "q2"), a.job("fail", "f1"));
        List<RecordingTicket> tickets = new ArrayList<>();
        for (Job j : jobs) {
            RecordingTicket t = new RecordingTicket();
            a.journal.offer(j, t);
            tickets.add(t);
        }
        assertThat(tickets.get(0).outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
        assertThat(tickets.get(1).outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
        assertThat(tickets.get(2).outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.FAILED);

        // No request comes to carry the completions: the sync thread writes them soon.
        await().atMost(Duration.ofSeconds(5)).until(() -> records(copyOfJournal()).containsAll(
                jobs.stream().map(j -> (JournalRecord) new JournalRecord.Completed(j.id())).toList()));
        Node b = start(settings(copyOfJournal(), FsyncPolicy.EVERYSEC), 2, 10, true);
        assertThat(recovered(b)).isZero();

        drainAndClose(a, Duration.ofSeconds(5));
        Node c = start(settings(dir, FsyncPolicy.EVERYSEC), 2, 10, true);
        assertThat(recovered(c)).isZero();
        assertThat(c.ids.next()).isGreaterThan(jobs.get(2).id());
    }

    @Test
    void moreRecoveredJobsThanTheExecutorHoldsAreFedAsItHasRoomAndThoseNotFedAtADrainAreKept() throws Exception {
        Node a = start(settings(dir, FsyncPolicy.NO), 1, 30);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Job j = a.job("gate", "g" + i);
            offerAdmitted(a, j);
            jobs.add(j);
        }
        drainAndClose(a, Duration.ZERO);

        Node b = start(settings(dir, FsyncPolicy.NO), 1, 2);
        assertThat(recovered(b)).isEqualTo(20);
        await().until(() -> b.gate.started.size() == 1 && b.journal.queued() == 2);
        DrainReport report = b.journal.drain(Duration.ZERO);
        b.close();
        assertThat(report.fate()).isEqualTo(JournaledAdmission.KEPT);
        assertThat(report.cutOff()).extracting(c -> c.job().id()).as("one running, two queued, 17 never fed; each once")
                .containsExactlyInAnyOrderElementsOf(jobs.stream().map(Job::id).toList());

        Node c = start(settings(dir, FsyncPolicy.NO), 2, 4, true);
        assertThat(recovered(c)).isEqualTo(20);
        await().until(() -> c.gate.ran.size() == 20);
        drainAndClose(c, Duration.ofSeconds(5));
        assertThat(c.gate.ran).hasSize(20).doesNotHaveDuplicates();
        Map<Long, Integer> newestAttempt = records(readClosed(dir)).stream()
                .filter(r -> r instanceof JournalRecord.Admitted)
                .map(r -> (JournalRecord.Admitted) r)
                .collect(Collectors.toMap(JournalRecord.Admitted::id, JournalRecord.Admitted::attempt, Math::max));
        assertThat(newestAttempt).hasSize(20).allSatisfy((id, attempt) -> assertThat(attempt).isEqualTo(3));
    }

    // ------------------------------------------------------------------ disk: compaction and the bound

    @Test
    void oneStuckJobDoesNotPinSegmentsItIsWrittenAgainAtEachRollAndRecoveredOnce() throws Exception {
        long segmentBytes = 256;
        Node a = start(new JournalSettings(dir, FsyncPolicy.NO, BIG, segmentBytes), 2, 10);
        Job stuck = a.job("gate", "stuck");
        offerAdmitted(a, stuck);
        int mostFiles = 0;
        for (int i = 0; i < 300; i++) {
            RecordingTicket t = new RecordingTicket();
            a.journal.offer(a.job("quick", "q" + i), t);
            assertThat(t.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
            mostFiles = Math.max(mostFiles, SegmentFiles.list(dir).size());
        }
        List<Long> segments = SegmentFiles.list(dir);
        assertThat(segments.get(segments.size() - 1)).as("the store rolled many times").isGreaterThan(50);
        assertThat(mostFiles).as("segment files at any point").isLessThanOrEqualTo(3);
        assertThat(segments).as("the stuck job's record moved on with each roll: its first segment is gone")
                .doesNotContain(1L).allSatisfy(s -> assertThat(s).isGreaterThan(50));
        assertThat(journalBytes(a)).isLessThanOrEqualTo(4 * segmentBytes);
        assertThat(sizeOfSegments(dir)).isLessThanOrEqualTo(4 * segmentBytes);

        drainAndClose(a, Duration.ZERO);
        Node b = start(new JournalSettings(dir, FsyncPolicy.NO, BIG, segmentBytes), 2, 10, true);
        assertThat(recovered(b)).as("the stuck job, once, for all its copies").isEqualTo(1);
        await().until(() -> b.gate.ran.size() == 1);
        drainAndClose(b, Duration.ofSeconds(5));
        assertThat(b.gate.ran).containsExactly("stuck");
        assertThat(b.quick.ran).isEmpty();
    }

    /**
     * Random admissions, completions and held jobs over segments from one record to many: however
     * the rolls, rewrites and deletions fall, a clean stop leaves exactly the held jobs in the
     * journal, each once.
     */
    @ParameterizedTest(name = "segments of {0} bytes")
    @ValueSource(longs = {40, 64, 100, 256, 1024, 1 << 20})
    void afterRandomRollsAndCompactionsExactlyTheJobsNotFinishedComeBack(long segmentBytes) throws Exception {
        Node a = start(new JournalSettings(dir, FsyncPolicy.NO, BIG, segmentBytes), 32, 64);
        Random random = new Random(segmentBytes);
        List<Job> held = new ArrayList<>();
        Map<Job, RecordingTicket> tickets = new HashMap<>();
        for (int op = 0; op < 250; op++) {
            int what = random.nextInt(10);
            if (what < 3 && held.size() < 24) {
                Job j = a.job("hold", "h" + op + "x".repeat(random.nextInt(20)));
                RecordingTicket t = new RecordingTicket();
                a.journal.offer(j, t);
                assertThat(t.heard).contains("admitted");
                held.add(j);
                tickets.put(j, t);
            } else if (what < 5 && !held.isEmpty()) {
                Job j = held.remove(random.nextInt(held.size()));
                a.hold.release(j.qual());
                // the ticket, not the service: the job is over (and its completion queued) only once reported
                assertThat(tickets.get(j).outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
            } else {
                RecordingTicket t = new RecordingTicket();
                a.journal.offer(a.job("quick", "q" + op + "y".repeat(random.nextInt(20))), t);
                assertThat(t.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
            }
        }
        drainAndClose(a, Duration.ZERO);

        Map<Long, JournalRecord.Admitted> live = new LinkedHashMap<>();
        for (JournalRecord r : records(readClosed(dir))) {
            if (r instanceof JournalRecord.Admitted ad) {
                live.put(ad.id(), ad);
            } else {
                live.remove(r.id());
            }
        }
        assertThat(live.values()).extracting(JournalRecord.Admitted::qual)
                .containsExactlyInAnyOrderElementsOf(held.stream().map(Job::qual).toList());
        Node b = start(new JournalSettings(dir, FsyncPolicy.NO, BIG, segmentBytes), 32, 64, true);
        assertThat(recovered(b)).isEqualTo(held.size());
    }

    @Test
    void pastJournalMaxBytesOffersAreRefusedAndWriteNothingUntilCompletedJobsFreeTheSpace() throws Exception {
        long maxBytes = 600;
        Node n = start(new JournalSettings(dir, FsyncPolicy.EVERYSEC, maxBytes, 150), 1, 100);
        RecordingTicket refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            long bytesBefore = sizeOfSegments(dir);
            List<Long> filesBefore = SegmentFiles.list(dir);
            int queuedBefore = n.journal.queued();
            RecordingTicket t = new RecordingTicket();
            n.journal.offer(n.job("gate", "g" + i), t);
            if (!t.heard.contains("admitted")) {
                refused = t;
                assertThat(t.heard).containsExactly("refused JOURNAL_UNAVAILABLE");
                assertThat(bytesBefore).isGreaterThanOrEqualTo(maxBytes);
                assertThat(sizeOfSegments(dir)).as("nothing written").isEqualTo(bytesBefore);
                assertThat(SegmentFiles.list(dir)).isEqualTo(filesBefore);
                assertThat(n.journal.queued()).as("its place given back").isEqualTo(queuedBefore);
                assertThat(n.journal.unhealthy()).as("full is not a failing disk").isNull();
            }
        }
        assertThat(refused).as("the journal filled up with stuck jobs").isNotNull();

        n.gate.open();
        await().atMost(Duration.ofSeconds(5)).until(() -> journalBytes(n) < maxBytes);
        RecordingTicket later = new RecordingTicket();
        n.journal.offer(n.job("quick", "later"), later);
        assertThat(later.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
        assertThat(later.heard).contains("admitted");
    }

    // ------------------------------------------------------------------ a failing disk

    @Test
    void aFailedWriteAnswersItsPassJournalUnavailableUntilTheDiskRecoversAndLosesNothingAcked() throws Exception {
        FullDisk disk = new FullDisk();
        Node a = start(settings(dir, FsyncPolicy.EVERYSEC), 1, 10, false, disk.opener());
        offerAdmitted(a, a.job("gate", "before"));
        await().until(() -> a.gate.started.contains("before"));
        long sizeBefore = Files.size(SegmentFiles.path(dir, 1));

        disk.room = 10; // the next write gets 10 bytes in, then the disk is full
        List<Runnable> pass = new ArrayList<>();
        RecordingTicket x = new RecordingTicket();
        RecordingTicket y = new RecordingTicket();
        a.journal.offer(a.job("gate", "x"), x, pass::add);
        a.journal.offer(a.job("gate", "y"), y, pass::add);
        pass.get(0).run();

        assertThat(x.heard).containsExactly("refused JOURNAL_UNAVAILABLE");
        assertThat(y.heard).containsExactly("refused JOURNAL_UNAVAILABLE");
        assertThat(a.journal.unhealthy()).contains("write failed").contains("No space left on device");
        assertThat(writeErrors(a)).isGreaterThanOrEqualTo(1);
        assertThat(Files.size(SegmentFiles.path(dir, 1))).as("the partial batch was cut off").isEqualTo(sizeBefore);
        assertThat(a.journal.queued()).as("their places given back").isZero();

        disk.room = Long.MAX_VALUE;
        offerAdmitted(a, a.job("gate", "after"));
        assertThat(a.journal.unhealthy()).isNull();

        drainAndClose(a, Duration.ZERO);
        Node b = start(settings(dir, FsyncPolicy.EVERYSEC), 2, 10, true);
        assertThat(recovered(b)).isEqualTo(2);
        await().until(() -> b.gate.ran.size() == 2);
        drainAndClose(b, Duration.ofSeconds(5));
        assertThat(b.gate.ran).containsExactlyInAnyOrder("before", "after");
    }

    @Test
    void withFsyncAlwaysAFailedFsyncAnswersThePassJournalUnavailableAndItsJobsNeverRun() throws Exception {
        FullDisk disk = new FullDisk();
        Node a = start(settings(dir, FsyncPolicy.ALWAYS), 1, 10, false, disk.opener());
        offerAdmitted(a, a.job("gate", "before"));

        disk.forceFails = true;
        List<Runnable> pass = new ArrayList<>();
        RecordingTicket x = new RecordingTicket();
        RecordingTicket y = new RecordingTicket();
        a.journal.offer(a.job("gate", "x"), x, pass::add);
        a.journal.offer(a.job("gate", "y"), y, pass::add);
        pass.get(0).run();

        assertThat(x.heard).containsExactly("refused JOURNAL_UNAVAILABLE");
        assertThat(y.heard).containsExactly("refused JOURNAL_UNAVAILABLE");
        assertThat(writeErrors(a)).isGreaterThanOrEqualTo(1);

        disk.forceFails = false;
        offerAdmitted(a, a.job("gate", "after"));
        assertThat(a.journal.unhealthy()).isNull();

        drainAndClose(a, Duration.ZERO);
        Node b = start(settings(dir, FsyncPolicy.ALWAYS), 2, 10, true);
        assertThat(recovered(b)).as("the refused pair was recorded over").isEqualTo(2);
        await().until(() -> b.gate.ran.size() == 2);
        drainAndClose(b, Duration.ofSeconds(5));
        assertThat(b.gate.ran).containsExactlyInAnyOrder("before", "after");
    }

    /**
     * SPEC: "/health is 503 while writes fail". With {@code --fsync always} and a disk whose fsync
     * fails, every request is answered {@code !}, so the journal is not healthy. Fails today: the
     * completion records that cancel the pass's jobs are written successfully right after the
     * failed fsync, and a successful write clears the failure (JournaledAdmission.appendLocked).
     */
    @Test
    void whileFsyncsFailWithFsyncAlwaysUnhealthySaysSoThoughTheWritesThemselvesSucceed() throws Exception {
        FullDisk disk = new FullDisk();
        Node a = start(settings(dir, FsyncPolicy.ALWAYS), 1, 10, false, disk.opener());
        disk.forceFails = true;

        RecordingTicket x = new RecordingTicket();
        a.journal.offer(a.job("gate", "x"), x);

        assertThat(x.heard).containsExactly("refused JOURNAL_UNAVAILABLE");
        assertThat(a.journal.unhealthy()).as("every request gets '!' while fsync fails").isNotNull().contains("fsync failed");
    }

    @Test
    void aStartThatCannotWriteTheRecoveredJobsFailsWithTheReasonAndLeavesTheDirectoryUsable() throws Exception {
        Node a = start(settings(dir, FsyncPolicy.EVERYSEC), 1, 10);
        offerAdmitted(a, a.job("gate", "kept"));
        drainAndClose(a, Duration.ZERO);

        FullDisk disk = new FullDisk();
        disk.room = 0;
        Node b = node(settings(dir, FsyncPolicy.EVERYSEC), 1, 10, true, disk.opener());
        assertThatThrownBy(b.journal::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot write journal " + dir + " after recovery")
                .hasMessageContaining("No space left on device");
        assertThatCode(b::close).as("what the server does after a failed start").doesNotThrowAnyException();
        assertThat(b.gate.started).isEmpty();

        Node c = start(settings(dir, FsyncPolicy.EVERYSEC), 1, 10, true);
        assertThat(recovered(c)).isEqualTo(1);
        await().until(() -> c.gate.ran.contains("kept"));
    }

    // ------------------------------------------------------------------ records near the size limits

    /**
     * {@code --max-line} goes up to 1 MiB, and a record body adds 19 bytes and the key to the qual:
     * {@link JournalRecords#MAX_BODY} must leave room for them.
     * The {@link io.dispatchd.server.executor.JobAdmission} contract: offer never throws and the
     * ticket hears admitted or refused; a throw after executor.reserve() would leak the place (and
     * a drain past its deadline would then spin forever waiting for it).
     */
    @Test
    void theLongestLineMaxLineAllowsIsJournaledAndLeaksNoPlace() throws Exception {
        int maxLine = 1 << 20;
        Node n = nodeWithMaxLine(settings(dir, FsyncPolicy.EVERYSEC), maxLine);
        n.journal.start();
        String qual = "x".repeat(maxLine - "quick ".length()); // the longest line --max-line 1MiB lets through
        RecordingTicket t = new RecordingTicket();
        assertThatCode(() -> n.journal.offer(n.job("quick", qual), t)).doesNotThrowAnyException();
        assertThat(t.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
        assertThat(t.heard).as("either order: a job may finish before admitted() returns")
                .containsExactlyInAnyOrder("admitted", "finished OK");
        await().untilAsserted(() -> assertThat(n.journal.queued()).as("no place left reserved").isZero());
    }

    /**
     * A job acked by a run with a large {@code --max-line} is recovered by a run with a smaller
     * one (a flag changed at a restart): its record is larger than this run's buffers, which are
     * sized from this run's {@code --max-line}.
     */
    @Test
    void aJobWrittenWithALargeMaxLineIsRecoveredByARunWithTheDefaultMaxLine() throws Exception {
        Node a = nodeWithMaxLine(settings(dir, FsyncPolicy.EVERYSEC), 1 << 20);
        a.journal.start();
        String qual = "x".repeat(300_000);
        offerAdmitted(a, a.job("gate", qual));
        drainAndClose(a, Duration.ZERO);

        Node b = nodeWithMaxLine(settings(dir, FsyncPolicy.EVERYSEC), 1024);
        b.gate.open();
        assertThatCode(b.journal::start).doesNotThrowAnyException();
        assertThat(recovered(b)).isEqualTo(1);
        await().until(() -> b.gate.ran.contains(qual));
    }

    // ------------------------------------------------------------------ lock and damage

    @Test
    void aSecondJournalOnTheSameDirectoryCannotStartAndNamesTheHoldersPid() throws Exception {
        Node a = start(settings(dir, FsyncPolicy.EVERYSEC), 1, 10);
        Node b = node(settings(dir, FsyncPolicy.EVERYSEC), 1, 10, true, ChannelOpener.REAL);

        assertThatThrownBy(b.journal::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("journal directory " + dir + " is in use by process " + ProcessHandle.current().pid());
        assertThatCode(b::close).doesNotThrowAnyException();

        Job still = a.job("gate", "still-mine");
        offerAdmitted(a, still);
        assertThat(records(copyOfJournal())).as("the holder still writes").contains(admitted(still));
    }

    @Test
    void damageFollowedByValidRecordsRefusesToStartNamingTheFileAndOffset() throws Exception {
        Node a = start(settings(dir, FsyncPolicy.EVERYSEC), 1, 10);
        for (int i = 1; i <= 3; i++) {
            offerAdmitted(a, a.job("gate", "g" + i));
        }
        drainAndClose(a, Duration.ZERO);
        Path segment = SegmentFiles.path(dir, 1);
        long second = HEADER + JournalRecords.admittedSize("gate", "g1");
        flip(segment, second + 12); // inside the second record; the third follows intact

        Node b = node(settings(dir, FsyncPolicy.EVERYSEC), 1, 10, true, ChannelOpener.REAL);
        assertThatThrownBy(b.journal::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("journal " + segment + " is damaged at offset " + second)
                .hasMessageContaining("valid records follow");
        assertThatCode(b::close).doesNotThrowAnyException();
        assertThat(b.gate.started).isEmpty();
    }

    @Test
    void aTornLastRecordIsCutOffWithAWarningAndTheJobsBeforeItRunAgain() throws Exception {
        Node a = start(settings(dir, FsyncPolicy.EVERYSEC), 1, 10);
        for (int i = 1; i <= 3; i++) {
            offerAdmitted(a, a.job("gate", "g" + i));
        }
        drainAndClose(a, Duration.ZERO);
        Path segment = SegmentFiles.path(dir, 1);
        long third = HEADER + 2L * JournalRecords.admittedSize("gate", "g1");
        JournalStoreTest.truncate(segment, Files.size(segment) - 3);

        try (CapturedLog log = new CapturedLog(JournalStore.class)) {
            Node b = start(settings(dir, FsyncPolicy.EVERYSEC), 2, 10, true);
            assertThat(log.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains(segment.toString())
                    && l.contains("torn record at offset " + third));
            assertThat(recovered(b)).isEqualTo(2);
            await().until(() -> b.gate.ran.size() == 2);
            drainAndClose(b, Duration.ofSeconds(5));
            assertThat(b.gate.ran).containsExactlyInAnyOrder("g1", "g2");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static JournalSettings settings(Path directory, FsyncPolicy fsync) {
        return new JournalSettings(directory, fsync, 64 * BIG, BIG);
    }

    private Node start(JournalSettings settings, int workers, int capacity) {
        return start(settings, workers, capacity, false);
    }

    private Node start(JournalSettings settings, int workers, int capacity, boolean gateOpen) {
        return start(settings, workers, capacity, gateOpen, ChannelOpener.REAL);
    }

    private Node start(JournalSettings settings, int workers, int capacity, boolean gateOpen, ChannelOpener opener) {
        Node n = node(settings, workers, capacity, gateOpen, opener);
        n.journal.start();
        return n;
    }

    private Node node(JournalSettings settings, int workers, int capacity, boolean gateOpen, ChannelOpener opener) {
        Node n = new Node(settings, workers, capacity, opener);
        if (gateOpen) {
            n.gate.open();
        }
        nodes.add(n);
        return n;
    }

    private Node nodeWithMaxLine(JournalSettings settings, int maxLineBytes) {
        Node n = new Node(settings, 2, 10, ChannelOpener.REAL, maxLineBytes);
        nodes.add(n);
        return n;
    }

    /** One run of the journal: an executor, its services, metrics and ids. */
    private static final class Node implements AutoCloseable {
        final GateService gate = new GateService();
        final RecordingService quick = new RecordingService("quick");
        final HoldService hold = new HoldService();
        final JobIds ids = new JobIds();
        final DispatchMetrics metrics;
        final BoundedJobExecutor executor;
        final JournaledAdmission journal;

        Node(JournalSettings settings, int workers, int capacity, ChannelOpener opener) {
            this(settings, workers, capacity, opener, 1024);
        }

        Node(JournalSettings settings, int workers, int capacity, ChannelOpener opener, int maxLineBytes) {
            ServiceRegistry services = ServiceRegistry.of(List.of(gate, quick, hold, new FailingService()));
            metrics = new DispatchMetrics(services, AckMode.ACCEPT);
            executor = new BoundedJobExecutor(workers, capacity, Duration.ZERO, services, CONTEXT);
            journal = new JournaledAdmission(settings, executor, workers + capacity, maxLineBytes, ids,
                    metrics.bindJournal(), metrics::service, opener);
        }

        Job job(String service, String qual) {
            return new Job(ids.next(), service, qual, 1);
        }

        @Override
        public void close() {
            journal.close();
        }
    }

    private static void offerAdmitted(Node n, Job job) {
        RecordingTicket t = new RecordingTicket();
        n.journal.offer(job, t);
        assertThat(t.heard).as("%s", job).contains("admitted");
    }

    private static void drainAndClose(Node n, Duration deadline) throws InterruptedException {
        n.journal.drain(deadline);
        n.close();
    }

    private static JournalRecord admitted(Job j) {
        return new JournalRecord.Admitted(j.id(), j.attempt(), j.service(), j.qual());
    }

    private static double fsyncs(Node n) {
        return Scrape.sample(n.metrics.scrape(), "dispatchd_journal_fsync_seconds_count");
    }

    private static double recovered(Node n) {
        return Scrape.sample(n.metrics.scrape(), "dispatchd_jobs_recovered_total");
    }

    private static double writeErrors(Node n) {
        return Scrape.sample(n.metrics.scrape(), "dispatchd_journal_write_errors_total");
    }

    private static long journalBytes(Node n) {
        return (long) Scrape.sample(n.metrics.scrape(), "dispatchd_journal_bytes");
    }

    private static long sizeOfSegments(Path directory) throws IOException {
        long total = 0;
        for (long s : SegmentFiles.list(directory)) {
            total += Files.size(SegmentFiles.path(directory, s));
        }
        return total;
    }

    /** The segment files as they are now, copied to a new directory (without the lock): a crash's leftovers. */
    private Path copyOfJournal() throws IOException {
        Path copy = Files.createDirectories(scratch.resolve("copy-" + (++copies)));
        for (long s : SegmentFiles.list(dir)) {
            Files.copy(SegmentFiles.path(dir, s), SegmentFiles.path(copy, s));
        }
        return copy;
    }

    /** Every record of a journal directory nobody holds (a copy, or one whose admission is closed). */
    private static List<Recovered> readClosed(Path directory) throws Exception {
        List<Recovered> all = new ArrayList<>();
        JournalStore.open(directory, BIG, all::add).close();
        return all;
    }

    private List<JournalRecord> records(Path copy) {
        try {
            return records(readClosed(copy));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<JournalRecord> records(List<Recovered> recovered) {
        return recovered.stream().map(Recovered::record).toList();
    }

    private static void flip(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= 0x5A;
        Files.write(file, bytes);
    }

    /** Records the quals of the jobs it ran to their end. */
    static class RecordingService implements Service {
        private final String key;
        final List<String> ran = Collections.synchronizedList(new ArrayList<>());

        RecordingService(String key) {
            this.key = key;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public void execute(String qual, ServiceContext context) throws Exception {
            ran.add(qual);
        }
    }

    /** Blocks every job until the test opens it (interruptibly: a drain deadline cuts it off). */
    static final class GateService extends RecordingService {
        private final CountDownLatch gate = new CountDownLatch(1);
        final List<String> started = Collections.synchronizedList(new ArrayList<>());

        GateService() {
            super("gate");
        }

        void open() {
            gate.countDown();
        }

        @Override
        public void execute(String qual, ServiceContext context) throws Exception {
            started.add(qual);
            gate.await();
            super.execute(qual, context);
        }
    }

    /** Holds each job until the test releases its qual. */
    static final class HoldService implements Service {
        private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

        @Override
        public String key() {
            return "hold";
        }

        @Override
        public void execute(String qual, ServiceContext context) throws Exception {
            gates.computeIfAbsent(qual, q -> new CountDownLatch(1)).await();
        }

        void release(String qual) {
            gates.computeIfAbsent(qual, q -> new CountDownLatch(1)).countDown();
        }

        void releaseAll() {
            gates.values().forEach(CountDownLatch::countDown);
        }
    }
}
