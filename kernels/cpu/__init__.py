"""Kernels that run only on the CPU (host memory), and the one list of op types without a GPU kernel.

Every other kernel is written against `xp` and registered for CPU and GPU. On top of this list,
ops whose outputs are int32 or string have no GPU kernel (TF1 keeps those in host memory; see
minitf.runtime.kernel_registry.find_kernel). An unpinned op of these types is placed on the CPU;
one pinned to a GPU fails unless `allow_soft_placement` (TF1's rules).
"""

# op type family -> why it stays on the host
CPU_ONLY_OPS = {
    # Python callbacks run in the interpreter.
    "PyFunc": "Python", "PyFuncStateless": "Python",
    # Queues hold host-side element lists; readers and parsers read files and bytes.
    **{t: "queue" for t in ("FIFOQueueV2", "RandomShuffleQueueV2", "PaddingFIFOQueueV2", "PriorityQueueV2",
                            "QueueEnqueueV2", "QueueEnqueueManyV2", "QueueDequeueV2", "QueueDequeueManyV2",
                            "QueueDequeueUpToV2", "QueueCloseV2", "QueueSizeV2", "QueueIsClosedV2")},
    **{t: "reader" for t in ("TextLineReaderV2", "FixedLengthRecordReaderV2", "TFRecordReaderV2",
                             "WholeFileReaderV2", "ReaderReadV2", "ReaderReadUpToV2", "ReaderResetV2",
                             "ReaderNumRecordsProducedV2", "ReaderNumWorkUnitsCompletedV2")},
    **{t: "parsing" for t in ("DecodeCSV", "DecodeRaw", "ParseExample", "ParseSingleExample")},
    # Checkpoints and summaries are files and serialized protos.
    **{t: "io" for t in ("SaveV2", "RestoreV2")},
    **{t: "summary" for t in ("ScalarSummary", "HistogramSummary", "ImageSummary", "TensorSummaryV2",
                              "MergeSummary")},
    # TF1 registers its candidate samplers and ComputeAccidentalHits on the CPU only.
    **{t: "sampling" for t in ("UniformCandidateSampler", "LogUniformCandidateSampler", "ComputeAccidentalHits")},
}
