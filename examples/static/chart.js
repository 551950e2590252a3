// The live chart's hook (examples/live_chart.py): an ES module the page loads after
// actorview's client (Application(modules=["chart.js"])), so window.ActorView is there
// and the page starts its views only after this has registered the hook.
const MAX_POINTS = 60;

window.ActorView.hooks.Chart = {
  mounted() {
    this.points = [];
    this.outOfOrder = 0;
    this.handleEvent("point", (point) => {
      // The render of the same message is drawn before its event arrives.
      const latest = document.getElementById("latest");
      if (!latest || Number(latest.textContent) !== point.y) this.outOfOrder++;
      this.points.push(point);
      if (this.points.length > MAX_POINTS) this.points.shift();
      this.draw();
    });
    this.handleEvent("clear", () => {
      this.points = [];
      this.draw();
    });
    this.el.addEventListener("dblclick", () => this.pushEvent("clear", {}));
    this.draw();
  },

  draw() {
    const canvas = this.el;
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const ys = this.points.map((p) => p.y);
    const low = Math.min(...ys, 15);
    const high = Math.max(...ys, 27);
    ctx.strokeStyle = "#3a6fd8";
    ctx.lineWidth = 2;
    ctx.beginPath();
    this.points.forEach((p, i) => {
      const x = (i / (MAX_POINTS - 1)) * canvas.width;
      const y = canvas.height - ((p.y - low) / (high - low)) * canvas.height;
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
    canvas.dataset.points = String(this.points.length);
    canvas.dataset.outOfOrder = String(this.outOfOrder);
  },
};
