#include "support/proc_status.h"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace fathom::test {

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));  // "VmRSS:  1234 kB"
  }
  return -1;
}

uint64_t raise_open_file_limit(uint64_t wanted) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < wanted) {
    lim.rlim_cur = std::min<rlim_t>(wanted, lim.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &lim);
    ::getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur;
}

}  // namespace fathom::test

#include <dirent.h>
#include <unistd.h>

#include <set>
#include <sstream>

namespace fathom::test {

namespace {

std::set<unsigned long> socket_inodes(pid_t pid) {
  std::set<unsigned long> inodes;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return inodes;
  while (dirent* e = ::readdir(d)) {
    char target[128];
    ssize_t n = ::readlink((dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    std::string link(target, static_cast<size_t>(n));
    if (link.rfind("socket:[", 0) == 0) inodes.insert(std::stoul(link.substr(8)));
  }
  ::closedir(d);
  return inodes;
}

struct TcpEntry {
  std::string local;  // "0100007F:1F90"
  std::string remote;
  unsigned long local_port = 0;
  unsigned long remote_port = 0;
  std::string state;  // hex, as the kernel prints it: "01" established, "06" time-wait, "0A" listen
  unsigned long inode = 0;
};

unsigned long port_of(const std::string& address) {  // "0100007F:1F90"
  size_t colon = address.find(':');
  return colon == std::string::npos ? 0 : std::stoul(address.substr(colon + 1), nullptr, 16);
}

std::vector<TcpEntry> tcp_entries() {
  std::vector<TcpEntry> out;
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // column titles
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string sl, queues, timer, retransmits, uid, timeout;
    TcpEntry e;
    fields >> sl >> e.local >> e.remote >> e.state >> queues >> timer >> retransmits >> uid >>
        timeout >> e.inode;
    e.local_port = port_of(e.local);
    e.remote_port = port_of(e.remote);
    out.push_back(std::move(e));
  }
  return out;
}

// Inodes of the sockets in LISTEN state on `port`.
std::vector<unsigned long> listening_inodes(uint16_t port) {
  std::vector<unsigned long> out;
  for (const TcpEntry& e : tcp_entries()) {
    if (e.state == "0A" && e.local_port == port) out.push_back(e.inode);
  }
  return out;
}

}  // namespace

bool sole_listener(pid_t pid, uint16_t port) {
  std::vector<unsigned long> listeners = listening_inodes(port);
  if (listeners.empty()) return false;
  std::set<unsigned long> mine = socket_inodes(pid);
  for (unsigned long inode : listeners) {
    if (mine.count(inode) == 0) return false;
  }
  return true;
}

PortConnections connections_involving(uint16_t port) {
  // The kernel prints /proc/net/tcp a page per read() and resumes by position in its hash table,
  // so a line can come out twice when other tests open or close sockets meanwhile. Count each
  // connection (its address pair and state) once.
  std::set<std::string> established, time_wait;
  for (const TcpEntry& e : tcp_entries()) {
    if (e.state == "01" && e.remote_port == port) established.insert(e.local + " " + e.remote);
    if (e.state == "06" && (e.local_port == port || e.remote_port == port)) {
      time_wait.insert(e.local + " " + e.remote);
    }
  }
  return {static_cast<int>(established.size()), static_cast<int>(time_wait.size())};
}

}  // namespace fathom::test
