-- The sample ledger (run configuration key sample_ledger): one row per trained completion, written by the learner's
-- silo in batches. (run_id, step, prompt_index, sample_index) is the natural key: a step the learner trains again after
-- a restore from a checkpoint replaces its rows, so each key holds the completion of the run's final training history.
-- Rows stay until deleted: DELETE FROM grpo_sample_ledger WHERE run_id = '...'; (see README, "Sample ledger").
-- Idempotent, like the other scripts.
CREATE TABLE IF NOT EXISTS grpo_sample_ledger
(
    run_id            text        NOT NULL,
    step              bigint      NOT NULL,
    prompt_index      integer     NOT NULL,
    sample_index      integer     NOT NULL,
    group_id          text        NOT NULL,
    policy_version    bigint      NOT NULL,
    lineage           text        NOT NULL,
    image_sha256      text        NULL,
    silo              text        NOT NULL,
    reward            real        NOT NULL,
    reward_components jsonb       NOT NULL,
    advantage         real        NOT NULL,
    token_count       integer     NOT NULL,
    finish_reason     text        NOT NULL,
    prompt            text        NOT NULL,
    completion        text        NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_grpo_sample_ledger PRIMARY KEY (run_id, step, prompt_index, sample_index)
);

-- grpo samples ID --min-reward X reads a run's best completions without scanning all of them.
CREATE INDEX IF NOT EXISTS ix_grpo_sample_ledger_reward ON grpo_sample_ledger (run_id, reward);
