#!/usr/bin/env python3
"""Writes datasets/corpora/tech-terms/: the glossary the demo's rag variant retrieves from.

One Markdown entry per term: the 60 terms of tech_terms_eval.jsonl (the passages that hold the
reference answers, definition verbatim), and as distractors the 100 terms of
tech_terms_train.jsonl plus the hand-written near misses below (B+ tree next to B-tree, TLS 1.3
next to TLS handshake, ...), so retrieval has wrong passages to rank too. Each entry's id is its
file name (a slug of the term), which is what a dataset line's `gold: [...]` names.

Also names each eval line's gold passage ("gold": ["<slug>"]) in tech_terms_eval.jsonl.

Run from anywhere: python3 datasets/corpora/make_tech_terms.py (rewrites the folder).
"""
import json
import pathlib
import re
import unicodedata

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "tech-terms"

# Near misses of eval terms: (term, definition, category, related).
NEAR_MISSES = [
    ("B+ tree", "A B-tree variant that keeps every record in the leaves and links the leaves in key order, so a range scan walks the leaf level without climbing back up the tree.", "databases", ["B-tree", "database index", "range query"]),
    ("TLS 1.3", "The 2018 revision of Transport Layer Security that drops legacy ciphers, requires forward secrecy and completes the handshake in one round trip, or zero with session resumption.", "security", ["TLS handshake", "forward secrecy", "QUIC"]),
    ("TCP slow start", "The phase of TCP congestion control in which a sender doubles its congestion window every round trip until it sees loss or reaches a threshold, probing the path's bandwidth at the start of a connection.", "networking", ["TCP congestion control", "congestion window", "TCP three-way handshake"]),
    ("page cache", "Memory the kernel uses to keep recently read and written file pages, so repeated reads are served from RAM and writes can be gathered and flushed to disk later.", "operating-systems", ["virtual memory", "page fault", "memory-mapped file"]),
    ("cache line", "The fixed-size block, usually 64 bytes, in which data moves between main memory and the CPU caches; the unit that cache coherence protocols track and that false sharing contends for.", "hardware", ["cache coherence", "false sharing", "CPU cache"]),
    ("prepared statement", "A SQL statement compiled once with placeholders and then executed with bound parameters, which keeps data apart from code and is the standard defence against SQL injection.", "databases", ["SQL injection", "query planner", "stored procedure"]),
    ("preflight request", "An OPTIONS request a browser sends before a cross-origin request that is not simple, asking the server which methods and headers it will accept from that origin.", "web", ["CORS", "same-origin policy", "HTTP headers"]),
    ("Multi-Paxos", "An optimisation of Paxos in which a stable leader skips the prepare phase for successive log entries, so each decision costs a single round trip in the common case.", "distributed-systems", ["Paxos", "Raft", "leader election"]),
    ("underfitting", "The failure of a model that is too simple or trained too little to capture the structure of its data, so that it performs poorly on the training set and the test set alike.", "machine-learning", ["overfitting", "bias-variance tradeoff", "model capacity"]),
    ("spinlock", "A lock whose waiting threads loop on the lock word instead of sleeping, which avoids a context switch for very short critical sections but burns CPU when the lock is held for long.", "operating-systems", ["mutex", "busy waiting", "atomic operation"]),
    ("read-write lock", "A lock that lets many readers hold it at the same time but gives a writer exclusive access, suited to data that is read far more often than it is changed.", "operating-systems", ["mutex", "semaphore", "MVCC"]),
    ("autonomous system", "A network or group of networks under one administrative routing policy, identified by an AS number; BGP carries routes between autonomous systems.", "networking", ["BGP", "IP prefix", "peering"]),
    ("BASE", "Basically available, soft state, eventual consistency: the guarantees of systems that relax ACID transactions for availability and scale, accepting reads that are briefly out of date.", "distributed-systems", ["ACID", "eventual consistency", "CAP theorem"]),
    ("self-attention", "An attention mechanism in which every position of a sequence attends to every other position of the same sequence, giving context-dependent representations; the core operation of each transformer layer.", "machine-learning", ["transformer", "attention mechanism", "positional encoding"]),
    ("swap space", "Disk space the operating system uses to hold memory pages evicted from RAM, letting virtual memory exceed physical memory at the cost of slow page-ins.", "operating-systems", ["virtual memory", "page fault", "thrashing"]),
    ("rendezvous hashing", "Highest-random-weight hashing: each key goes to the node with the highest hash of the key and node together, so that, as with consistent hashing, few keys move when nodes join or leave.", "distributed-systems", ["consistent hashing", "sharding", "load balancer"]),
    ("clickjacking", "An attack that loads a target site in an invisible frame over a decoy page so that the victim's clicks trigger actions on the target; prevented with the frame-ancestors directive or X-Frame-Options.", "security", ["XSS", "Content Security Policy", "same-origin policy"]),
    ("OpenAPI", "A machine-readable format for describing HTTP APIs (paths, operations, parameters and schemas) from which documentation, client libraries and tests are generated.", "web", ["REST", "JSON Schema", "API gateway"]),
    ("page table walk", "The traversal of multi-level page tables, by hardware or by the kernel, that translates a virtual address after a TLB miss.", "hardware", ["TLB", "page table", "virtual memory"]),
    ("reference counting", "A memory management technique that frees an object when the number of references to it drops to zero; simple and incremental, but unable to reclaim reference cycles without extra help.", "programming", ["garbage collection", "RAII", "weak reference"]),
    ("third normal form", "A level of relational schema design in which every non-key column depends on the key alone, removing the transitive dependencies that cause update anomalies.", "databases", ["database normalization", "primary key", "denormalization"]),
    ("early stopping", "A regularization technique that halts training when the validation loss stops improving and keeps the weights from before the model began to overfit.", "machine-learning", ["overfitting", "dropout", "validation set"]),
    ("DNS", "The Domain Name System: a hierarchical, distributed directory that maps domain names to IP addresses and other records, queried through caching recursive resolvers.", "networking", ["DHCP", "IP address", "time to live"]),
    ("three-phase commit", "An atomic commitment protocol that adds a pre-commit phase to two-phase commit so that participants can finish without a failed coordinator, provided network delays are bounded.", "distributed-systems", ["two-phase commit", "consensus", "distributed transaction"]),
    ("stack overflow", "A failure in which a program's call stack outgrows the memory set aside for it, usually through unbounded recursion, crashing the thread or overwriting neighbouring memory.", "programming", ["buffer overflow", "recursion", "tail call optimization"]),
    ("SIMT", "Single instruction, multiple threads: the GPU execution model in which a group of threads runs the same instruction in lockstep, each thread on its own data and with its own registers.", "hardware", ["SIMD", "GPU", "warp"]),
    ("lambda expression", "An anonymous function written inline, often passed as an argument; when it refers to variables of the enclosing scope it forms a closure.", "programming", ["closure", "higher-order function", "functional programming"]),
    ("Server-Sent Events", "A browser API and HTTP streaming format in which a server pushes text events over one long-lived response; one-directional, unlike a WebSocket.", "web", ["WebSocket", "HTTP/2", "long polling"]),
    ("word2vec", "A family of shallow neural models that learn word embeddings by predicting a word from its neighbours, or the neighbours from the word, so that words used alike end up close together.", "machine-learning", ["embedding", "skip-gram", "cosine similarity"]),
    ("livelock", "A state in which threads keep changing state in response to one another without any of them making progress, unlike a deadlock, where they are all blocked.", "operating-systems", ["deadlock", "race condition", "exponential backoff"]),
    ("time-of-check to time-of-use", "A race condition in which a program checks the state of a resource and then uses it, while an attacker changes the resource in between the two steps.", "security", ["race condition", "symlink attack", "file descriptor"]),
    ("subnet", "A logical subdivision of an IP network whose addresses share a routing prefix; hosts in the same subnet reach each other directly, without a router.", "networking", ["subnet mask", "CIDR", "VLAN"]),
    ("context window", "The largest number of tokens a language model can take in and produce in one request; text beyond it has to be truncated, summarized or retrieved when needed.", "machine-learning", ["tokenization", "transformer", "RAG"]),
    ("learning rate schedule", "A rule that changes the learning rate during training, such as a warmup followed by cosine or step decay, to speed early progress and then settle into a minimum.", "machine-learning", ["learning rate", "gradient descent", "optimizer"]),
    ("CPLD", "Complex programmable logic device: a programmable chip built from a few large logic blocks with non-volatile configuration, simpler and more predictable in timing than an FPGA.", "hardware", ["FPGA", "ASIC", "logic gate"]),
    ("session cookie", "A cookie without an expiry date, kept only until the browser session ends; it usually carries the identifier of a session stored on the server.", "web", ["HTTP cookie", "session management", "SameSite attribute"]),
    ("service discovery", "The mechanism by which the services of a distributed system find each other's network locations, through a registry, DNS records or a gossip protocol.", "distributed-systems", ["gossip protocol", "load balancer", "DNS"]),
    ("zero-click exploit", "An exploit that compromises a device without any action by its user, for example through a malformed message that is parsed automatically; often built on a zero-day vulnerability.", "security", ["zero-day vulnerability", "remote code execution", "sandbox"]),
    ("dependency inversion principle", "The design rule that high-level and low-level modules should both depend on abstractions rather than on each other; dependency injection is the usual way to apply it.", "programming", ["dependency injection", "SOLID", "interface"]),
    ("precision and recall", "Two measures of a classifier: precision is the share of predicted positives that are correct, recall the share of actual positives that are found; both are read off a confusion matrix.", "machine-learning", ["confusion matrix", "F1 score", "ROC curve"]),
    ("vDSO", "A small shared library the Linux kernel maps into every process so that some system calls, such as reading the clock, run in user space without switching into the kernel.", "operating-systems", ["system call", "context switch", "kernel mode"]),
    ("polling", "Checking a device or resource repeatedly for readiness instead of waiting for an interrupt; cheaper than interrupts when events arrive at a very high rate.", "hardware", ["interrupt", "busy waiting", "epoll"]),
    ("health check", "A periodic probe, such as an HTTP request to a status endpoint, by which a load balancer or orchestrator decides whether an instance should receive traffic.", "distributed-systems", ["load balancer", "circuit breaker", "service discovery"]),
    ("crash fault tolerance", "The ability of a replicated system to keep working while some nodes stop, assuming failed nodes halt rather than lie; Raft and Paxos tolerate crash faults but not Byzantine ones.", "distributed-systems", ["Byzantine fault tolerance", "Raft", "quorum"]),
]


def slug(term):
    ascii_term = unicodedata.normalize("NFKD", term.replace("+", " plus ")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_term.lower()).strip("-")


def load(name):
    entries = []
    for line in (HERE.parent / name).read_text(encoding="utf-8").splitlines():
        answer = json.loads(json.loads(line)["messages"][-1]["content"])
        entries.append((answer["term"], answer["definition"], answer["category"], answer["related"]))
    return entries


def main():
    entries = load("tech_terms_eval.jsonl") + load("tech_terms_train.jsonl") + NEAR_MISSES
    by_slug = {}
    for entry in entries:
        key = slug(entry[0])
        assert key not in by_slug, f"two entries would be {key}.md"
        by_slug[key] = entry
    titles = {term.lower(): term for term, _, _, _ in entries}
    # Which entries name a term among their related terms: the glossary's cross-references.
    mentioned_by = {}
    for term, _, _, related in entries:
        for r in related:
            if r.lower() in titles and r.lower() != term.lower():
                mentioned_by.setdefault(r.lower(), []).append(term)
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.md"):
        old.unlink()
    for key, (term, definition, category, related) in sorted(by_slug.items()):
        lines = [f"# {term}", "", definition, "", f"- Category: {category}", f"- Related: {', '.join(related)}"]
        if term.lower() in mentioned_by:
            lines.append(f"- Mentioned by: {', '.join(sorted(mentioned_by[term.lower()], key=str.lower))}")
        (OUT / f"{key}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(by_slug)} entries to {OUT}")
    name_gold_passages()


def name_gold_passages():
    """Gives each line of tech_terms_eval.jsonl its gold passage ("gold": [slug]), the entry that
    holds its reference answer, so runs report recall@k and the other retrieval measures."""
    path = HERE.parent / "tech_terms_eval.jsonl"
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        gold = [slug(json.loads(case["messages"][-1]["content"])["term"])]
        assert (OUT / f"{gold[0]}.md").exists(), gold
        case.pop("gold", None)
        case["gold"] = gold
        lines.append(json.dumps(case, ensure_ascii=False, separators=(",", ":")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"named the gold passage of {len(lines)} cases in {path}")


if __name__ == "__main__":
    main()
