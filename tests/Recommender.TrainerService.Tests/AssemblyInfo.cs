// Training saturates this machine's cores and libtorch's settings are process-wide: tests run one
// at a time, which also keeps each test's timing bounds meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
