/*
 * The raw-socket responder in C, for `npm run bench -- workers`: a keep-alive HTTP/1.1 target that costs only its
 * system calls per request (epoll, read, write), so that on a 2-core machine the clients, not the target, take the
 * cores. It counts request heads (GETs without a body: a blank line ends each) and answers each with the same
 * response. Usage: raw-responder BODY_FILE; prints the port it listens on (127.0.0.1, an ephemeral port).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 65536

typedef struct {
  int match;       /* how much of "\r\n\r\n" the previous read ended with */
  size_t owed;     /* responses not yet written in full */
  size_t offset;   /* bytes of the current response already written */
  int waiting;     /* registered for EPOLLOUT (the socket was full) */
} conn_t;

static conn_t conns[MAX_CONNS];
static char *response;
static size_t response_len;

static void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK); }

/* Writes what is owed; returns 0 when all is written, 1 when the socket is full, -1 on error. */
static int flush_conn(int fd) {
  conn_t *c = &conns[fd];
  while (c->owed > 0) {
    ssize_t n = write(fd, response + c->offset, response_len - c->offset);
    if (n < 0) return errno == EAGAIN ? 1 : -1;
    c->offset += (size_t)n;
    if (c->offset == response_len) { c->offset = 0; c->owed--; }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: raw-responder BODY_FILE\n"); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  fseek(f, 0, SEEK_END);
  long body_len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char head[160];
  int head_len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %ld\r\n\r\n", body_len);
  response_len = (size_t)head_len + (size_t)body_len;
  response = malloc(response_len);
  memcpy(response, head, (size_t)head_len);
  if (fread(response + head_len, 1, (size_t)body_len, f) != (size_t)body_len) { perror("read body"); return 2; }
  fclose(f);

  int ls = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, 1024) < 0) { perror("listen"); return 1; }
  socklen_t alen = sizeof addr;
  getsockname(ls, (struct sockaddr *)&addr, &alen);
  printf("%d\n", ntohs(addr.sin_port));
  fflush(stdout);
  set_nonblocking(ls);

  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls };
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  struct epoll_event events[256];
  static char buf[65536];
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == ls) {
        int c;
        while ((c = accept(ls, NULL, NULL)) >= 0) {
          if (c >= MAX_CONNS) { close(c); continue; }
          set_nonblocking(c);
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          memset(&conns[c], 0, sizeof conns[c]);
          struct epoll_event cev = { .events = EPOLLIN, .data.fd = c };
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      conn_t *c = &conns[fd];
      int closed = 0;
      if (events[i].events & EPOLLIN) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0) closed = !(r < 0 && errno == EAGAIN);
        for (ssize_t k = 0; k < r; k++) {
          char want = (c->match % 2 == 0) ? '\r' : '\n';
          if (buf[k] == want) c->match++;
          else c->match = buf[k] == '\r' ? 1 : 0;
          if (c->match == 4) { c->owed++; c->match = 0; }
        }
      }
      if (!closed) {
        int w = flush_conn(fd);
        if (w < 0) closed = 1;
        else if ((w == 1) != c->waiting) {
          /* Only a change of state costs a system call: a full socket asks for EPOLLOUT, an emptied one stops. */
          c->waiting = w == 1;
          struct epoll_event cev = { .events = EPOLLIN | (c->waiting ? EPOLLOUT : 0), .data.fd = fd };
          epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev);
        }
      }
      if (closed) { epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL); close(fd); }
    }
  }
}
