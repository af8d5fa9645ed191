# One playground replica (a Streamlit process). docker-compose.yml runs several behind the sticky
# nginx proxy, configured from the same template as scripts/serve-workshop (deploy/).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # threads only hurt the tiny matrices and starve other sessions (measured: 5x per update)
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1 \
    MKL_NUM_THREADS=1 \
    PLAYGROUND_WORKSHOP=1

WORKDIR /app
# No fonts are installed: the server draws no text as pixels (labels are HTML, SVG and Vega-Lite/Plotly
# text drawn by the learner's browser, Chinese included). Only headless screenshots on this image
# would need a CJK font (Debian: fonts-noto-cjk, or fonts-wqy-microhei as the tests use).
COPY requirements.txt requirements-workshop.txt ./
RUN pip install -r requirements-workshop.txt

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin playground
# the code is owned by root and read-only to the app user
COPY app.py ./
COPY .streamlit ./.streamlit
COPY pages ./pages
COPY playground ./playground
COPY deploy ./deploy

USER playground
EXPOSE 8501
HEALTHCHECK --interval=10s --timeout=3s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=2).status != 200)"]

# Inside its container the replica listens on all interfaces of the compose network only; nothing
# publishes 8501: the proxy is the one way in.
CMD ["python", "-m", "streamlit", "run", "app.py", \
     "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true", \
     "--server.fileWatcherType=none", "--server.enableXsrfProtection=true", "--server.enableCORS=true", \
     "--server.maxUploadSize=5", "--client.showErrorDetails=none", "--client.toolbarMode=viewer", \
     "--runner.postScriptGC=false", "--browser.gatherUsageStats=false"]
